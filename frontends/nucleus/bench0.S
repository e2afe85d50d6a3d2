/* The bench-cpu loop, ring-0 copy (see include/guest/bench_loop.inc). */
#include <guest/bench_loop.inc>

	.text
	BENCH_LOOP nucleus_bench_loop

	.section .note.GNU-stack, "", @progbits
