/*
 * The ring-0 half of bench-cpu.  Ring 3 never calls into ring 0, so the
 * only honest way to time the loop in ring 0 is to run it during boot,
 * on vCPU 0 before the drop to ring 3, when the command line selects
 * app=bench-cpu; the result is left in nucleus_report for the app.
 *
 * The command line is scanned once, a token at a time; for an ordinary
 * command line that is a few hundred emulated instructions.
 */
#include "nucleus.h"

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <dyad/boot.h>
#include <guest/nucleus_report.h>

/* Does the token at s (ending at a space or NUL) start with key? Returns the value or 0. */
static const char *nucleus_token_value(const char *s, const char *key)
{
	while (*key && *s == *key) {
		s++;
		key++;
	}
	return *key ? 0 : s;
}

static int nucleus_token_is(const char *s, const char *word)
{
	const char *v = nucleus_token_value(s, word);

	return v && (*v == ' ' || *v == '\0');
}

static uint64_t nucleus_parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static uint64_t nucleus_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The ring-0 half of bench-hypercall: a null hypercall (xen_version
 * XENVER_version through the hypercall page) and a bare port-I/O exit (an
 * `out` to DYAD_PROBE_PORT, which the core acknowledges and ignores), each
 * `loops` times, timed as a whole.
 */
static void nucleus_bench_hypercall(uint64_t loops)
{
	long (*xen_version)(long, long) = (long (*)(long, long))(
		DYAD_BOOT_HYPERCALL_PAGE + __HYPERVISOR_xen_version * DYAD_HYPERCALL_STUB_SIZE);
	uint64_t t0 = nucleus_rdtsc();

	for (uint64_t i = 0; i < loops; i++)
		xen_version(XENVER_version, 0);
	nucleus_report.hc_tsc = nucleus_rdtsc() - t0;
	t0 = nucleus_rdtsc();
	for (uint64_t i = 0; i < loops; i++)
		__asm__ volatile("outl %%eax, %0" : : "i"(DYAD_PROBE_PORT), "a"(0));
	nucleus_report.pio_tsc = nucleus_rdtsc() - t0;
	nucleus_report.hc_loops = loops;
}

void nucleus_boot_bench(uint64_t start_info)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)start_info;
	const char *s = (const char *)si->cmdline_paddr;
	uint64_t loops = 0, t0;
	const char *v;
	int selected = 0;

	for (; s && *s; s++) {
		if (s != (const char *)si->cmdline_paddr && s[-1] != ' ')
			continue;
		if (nucleus_token_is(s, "app=bench-cpu"))
			selected = 1;
		else if (nucleus_token_is(s, "app=bench-hypercall"))
			selected = 2;
		else if ((v = nucleus_token_value(s, "loops=")))
			loops = nucleus_parse_u64(v);
	}
	if (selected == 2)
		nucleus_bench_hypercall(loops ? loops : BENCH_HC_DEFAULT_LOOPS);
	if (selected != 1)
		return;
	loops = loops ? loops : BENCH_DEFAULT_LOOPS;
	t0 = nucleus_rdtsc();
	nucleus_report.bench_result = nucleus_bench_loop(loops, BENCH_SEED);
	nucleus_report.bench_tsc = nucleus_rdtsc() - t0;
	nucleus_report.bench_loops = loops;
}
