/*
 * Exception reporting: the one piece of C that runs in ring 0 after boot.
 *
 * Any exception (a fault in the runtime or an app taken from ring 3, or a
 * nucleus bug) ends here: the registers are written to the domain's console
 * with console_io and the domain shuts down with SHUTDOWN_crash, so the
 * toolstack applies on_crash.  The trap is issued inline (abi.h's stub
 * sequence) rather than through the hypercall page, so a fault before the
 * page is registered is still reported.  No runtime code is called: it
 * lives in user pages and may be what faulted.
 */
#include "nucleus.h"
#include "nucleus_asm.h"

#include <dyad/xen.h>

static const char nucleus_names[32][4] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS",
	"NP", "SS", "GP",  "PF", "?",  "MF", "AC", "MC", "XM", "VE",  "CP",
};

struct nucleus_line {
	char buf[160];
	unsigned int len;
};

long nucleus_hypercall3(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	long ret;

	__asm__ volatile("out %%eax, %[port]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
			 : "a"(nr), [port] "i"(NUC_HYPERCALL_PORT)
			 : "rcx", "r11", "memory");
	return ret;
}

static void nucleus_puts(struct nucleus_line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf))
		l->buf[l->len++] = *s++;
}

static void nucleus_hex(struct nucleus_line *l, const char *name, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	nucleus_puts(l, name);
	nucleus_puts(l, "=0x");
	for (i = 60; i >= 0 && l->len < sizeof(l->buf); i -= 4)
		l->buf[l->len++] = digits[(v >> i) & 0xf];
}

static void nucleus_flush(struct nucleus_line *l)
{
	nucleus_puts(l, "\n");
	nucleus_hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, l->len, (uint64_t)l->buf);
	l->len = 0;
}

static uint64_t nucleus_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* The vCPU id, from the task register the builder or nucleus_ap_entry loaded. */
static uint64_t nucleus_vcpu_id(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return (uint64_t)(tr - NUC_SEL_TSS0) / 16;
}

static void nucleus_report_head(struct nucleus_line *l, const struct nucleus_frame *f)
{
	nucleus_puts(l, "nucleus: exception #");
	nucleus_puts(l, f->vector < 32 ? nucleus_names[f->vector] : "?");
	nucleus_hex(l, " vector", f->vector);
	nucleus_hex(l, " error", f->error);
	nucleus_hex(l, " vcpu", nucleus_vcpu_id());
	nucleus_puts(l, f->cs & 3 ? " in ring 3" : " in ring 0");
	nucleus_flush(l);
	nucleus_hex(l, "nucleus: rip", f->rip);
	nucleus_hex(l, " cs", f->cs);
	nucleus_hex(l, " rflags", f->rflags);
	nucleus_flush(l);
	nucleus_hex(l, "nucleus: rsp", f->rsp);
	nucleus_hex(l, " ss", f->ss);
	nucleus_hex(l, " cr2", nucleus_read_cr2());
	nucleus_flush(l);
}

static void nucleus_report_gprs(struct nucleus_line *l, const struct nucleus_frame *f)
{
	nucleus_hex(l, "nucleus: rax", f->rax);
	nucleus_hex(l, " rbx", f->rbx);
	nucleus_hex(l, " rcx", f->rcx);
	nucleus_hex(l, " rdx", f->rdx);
	nucleus_flush(l);
	nucleus_hex(l, "nucleus: rsi", f->rsi);
	nucleus_hex(l, " rdi", f->rdi);
	nucleus_hex(l, " rbp", f->rbp);
	nucleus_hex(l, " r8", f->r8);
	nucleus_flush(l);
	nucleus_hex(l, "nucleus: r9", f->r9);
	nucleus_hex(l, " r10", f->r10);
	nucleus_hex(l, " r11", f->r11);
	nucleus_hex(l, " r12", f->r12);
	nucleus_flush(l);
	nucleus_hex(l, "nucleus: r13", f->r13);
	nucleus_hex(l, " r14", f->r14);
	nucleus_hex(l, " r15", f->r15);
	nucleus_flush(l);
}

void nucleus_exception(const struct nucleus_frame *f)
{
	struct sched_shutdown sd = {.reason = SHUTDOWN_crash};
	struct nucleus_line l;

	l.len = 0;
	nucleus_report_head(&l, f);
	nucleus_report_gprs(&l, f);
	nucleus_hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)&sd, 0);
	nucleus_halt();
}
