/* The bench-cpu loop, ring-3 copy (see include/guest/bench_loop.inc). */
#include <guest/bench_loop.inc>

	.text
	BENCH_LOOP rt_bench_loop

	.section .note.GNU-stack, "", @progbits
