/*
 * The formatting engine behind rt_printf and rt_snprintf: one parser, two
 * sinks (the console line buffer, a bounded string).
 */
#include "printf.h"

#include <stdint.h>

#include "console.h"

struct rt_fmt_out {
	char *buf; /* 0: the console */
	size_t size;
	size_t n; /* characters produced, even past size */
};

struct rt_fmt_spec {
	int left, zero, longs;
	unsigned int width;
};

static void rt_fmt_put(struct rt_fmt_out *o, char c)
{
	if (!o->buf)
		rt_console_putc(c);
	else if (o->n + 1 < o->size)
		o->buf[o->n] = c;
	o->n++;
}

static void rt_fmt_pad(struct rt_fmt_out *o, unsigned int n, char c)
{
	while (n--)
		rt_fmt_put(o, c);
}

static void rt_fmt_str(struct rt_fmt_out *o, const struct rt_fmt_spec *sp, const char *s)
{
	unsigned int len = 0, pad;

	if (!s)
		s = "(null)";
	while (s[len])
		len++;
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		rt_fmt_pad(o, pad, ' ');
	while (*s)
		rt_fmt_put(o, *s++);
	if (sp->left)
		rt_fmt_pad(o, pad, ' ');
}

/* v in base, with a sign or a prefix ("-", "0x"), padded to the width. */
static void rt_fmt_num(struct rt_fmt_out *o, const struct rt_fmt_spec *sp, uint64_t v,
		       unsigned int base, const char *digits, const char *prefix)
{
	char tmp[24];
	unsigned int n = 0, plen = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix[plen])
		plen++;
	len = n + plen;
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !sp->zero)
		rt_fmt_pad(o, pad, ' ');
	while (*prefix)
		rt_fmt_put(o, *prefix++);
	if (!sp->left && sp->zero)
		rt_fmt_pad(o, pad, '0');
	while (n)
		rt_fmt_put(o, tmp[--n]);
	if (sp->left)
		rt_fmt_pad(o, pad, ' ');
}

static const char *rt_fmt_parse(const char *f, struct rt_fmt_spec *sp)
{
	*sp = (struct rt_fmt_spec){0};
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*f++ - '0');
	while (*f == 'l' || *f == 'z') {
		sp->longs++;
		f++;
	}
	return f;
}

static void rt_fmt_signed(struct rt_fmt_out *o, const struct rt_fmt_spec *sp, va_list *ap)
{
	int64_t v = sp->longs ? va_arg(*ap, long long) : va_arg(*ap, int);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	rt_fmt_num(o, sp, u, 10, "0123456789", v < 0 ? "-" : "");
}

static uint64_t rt_fmt_unsigned_arg(const struct rt_fmt_spec *sp, va_list *ap)
{
	return sp->longs ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned int);
}

/* One conversion; f points at the conversion character. */
static void rt_fmt_conv(struct rt_fmt_out *o, const struct rt_fmt_spec *sp, char c, va_list *ap)
{
	char ch[2] = {0, 0};

	switch (c) {
	case 'd':
	case 'i':
		rt_fmt_signed(o, sp, ap);
		break;
	case 'u':
		rt_fmt_num(o, sp, rt_fmt_unsigned_arg(sp, ap), 10, "0123456789", "");
		break;
	case 'x':
		rt_fmt_num(o, sp, rt_fmt_unsigned_arg(sp, ap), 16, "0123456789abcdef", "");
		break;
	case 'X':
		rt_fmt_num(o, sp, rt_fmt_unsigned_arg(sp, ap), 16, "0123456789ABCDEF", "");
		break;
	case 'p':
		rt_fmt_num(o, sp, (uint64_t)va_arg(*ap, void *), 16, "0123456789abcdef", "0x");
		break;
	case 's':
		rt_fmt_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		rt_fmt_str(o, sp, ch);
		break;
	default:
		rt_fmt_put(o, '%');
		if (c)
			rt_fmt_put(o, c);
	}
}

static void rt_fmt(struct rt_fmt_out *o, const char *f, va_list ap)
{
	struct rt_fmt_spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*f) {
		if (*f != '%') {
			rt_fmt_put(o, *f++);
			continue;
		}
		f = rt_fmt_parse(f + 1, &sp);
		rt_fmt_conv(o, &sp, *f, &aq);
		if (*f)
			f++;
	}
	va_end(aq);
}

int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct rt_fmt_out o = {.buf = buf, .size = size, .n = 0};

	rt_fmt(&o, fmt, ap);
	if (size)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return (int)o.n;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int rt_printf(const char *fmt, ...)
{
	struct rt_fmt_out o = {.buf = 0, .size = 0, .n = 0};
	va_list ap;

	va_start(ap, fmt);
	rt_fmt(&o, fmt, ap);
	va_end(ap);
	return (int)o.n;
}
