/*
 * A hand-written lexer and recursive-descent parser for xl.cfg syntax (see
 * cfg_parse.h).  The input is untrusted bytes of explicit length: NUL bytes,
 * unterminated strings and lists, bad escapes and out-of-range numbers are
 * syntax errors naming the line, never crashes.
 *
 * Grammar:
 *   doc     := { sep | setting end }
 *   setting := IDENT '=' value
 *   value   := atom | '[' [ atom { ',' atom } [ ',' ] ] ']'
 *   atom    := STRING | NUMBER
 *   end     := NEWLINE | ';' | EOF        sep := NEWLINE | ';'
 * Inside a list, newlines and comments are white space.
 */
#include "cfg_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_ATOM  65536u /* bytes of one string or number */
#define CFG_MAX_ITEMS 1024u  /* atoms in one list */

struct cfg_lexer {
	const char *text;
	size_t len, pos;
	int line;
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int cfg_syntax(struct cfg_lexer *lx, const char *fmt,
							    ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "%s:%d: syntax error: %s", lx->file, lx->line, what);
	return -EINVAL;
}

static int cfg_peek(const struct cfg_lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->text[lx->pos] : -1;
}

static bool cfg_is_ident(int c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Skip blanks and comments; newlines too when in_list. */
static void cfg_skip_space(struct cfg_lexer *lx, bool in_list)
{
	for (int c = cfg_peek(lx); c >= 0; c = cfg_peek(lx)) {
		if (c == '#') {
			while (cfg_peek(lx) >= 0 && cfg_peek(lx) != '\n')
				lx->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->pos++;
		} else if (c == '\n' && in_list) {
			lx->pos++;
			lx->line++;
		} else {
			return;
		}
	}
}

static int cfg_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escape after a backslash at lx->pos; *out gets the byte. */
static int cfg_escape(struct cfg_lexer *lx, char *out)
{
	static const char from[] = "\"'\\ntrabfv", to[] = "\"'\\\n\t\r\a\b\f\v";
	int c = cfg_peek(lx), hi, lo;
	const char *p;

	if (c < 0 || c == '\n')
		return cfg_syntax(lx, "unterminated string");
	lx->pos++;
	if (c != 'x') {
		p = c ? strchr(from, c) : NULL;
		if (!p)
			return cfg_syntax(lx,
					  c >= 0x20 && c < 0x7f ? "invalid escape '\\%c' in string"
								: "invalid escape in string",
					  c);
		*out = to[p - from];
		return 0;
	}
	hi = cfg_hex_digit(cfg_peek(lx));
	lo = lx->pos + 1 < lx->len ? cfg_hex_digit((unsigned char)lx->text[lx->pos + 1]) : -1;
	if (hi < 0 || lo < 0)
		return cfg_syntax(lx, "invalid escape '\\x' in string (two hex digits needed)");
	lx->pos += 2;
	*out = (char)(hi << 4 | lo);
	return *out ? 0 : cfg_syntax(lx, "NUL byte in string");
}

static int cfg_lex_string(struct cfg_lexer *lx, struct cfg_atom *a)
{
	char quote = lx->text[lx->pos++], *buf = malloc(CFG_MAX_ATOM);
	size_t n = 0;
	int c, rc = 0;

	if (!buf)
		return -ENOMEM;
	while (rc == 0 && (c = cfg_peek(lx)) != quote) {
		if (c < 0 || c == '\n')
			rc = cfg_syntax(lx, "unterminated string");
		else if (c == 0)
			rc = cfg_syntax(lx, "NUL byte in string");
		else if (n + 1 >= CFG_MAX_ATOM)
			rc = cfg_syntax(lx, "string longer than %u bytes", CFG_MAX_ATOM - 1);
		else if (lx->pos++, c == '\\')
			rc = cfg_escape(lx, &buf[n++]);
		else
			buf[n++] = (char)c;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	lx->pos++;
	buf[n] = '\0';
	a->type = CFG_VALUE_STRING;
	/* Give back the unused part: a file of many short strings stays small. */
	a->text = realloc(buf, n + 1) ?: buf;
	return 0;
}

/* Decimal without leading zeros, or 0x hex; at most UINT64_MAX. */
static int cfg_number_value(const char *s, uint64_t *out)
{
	int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		return -EINVAL;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = cfg_hex_digit((unsigned char)*s);

		if (d < 0 || d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -ERANGE;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int cfg_lex_number(struct cfg_lexer *lx, struct cfg_atom *a)
{
	size_t start = lx->pos, n;
	int rc;

	while (cfg_is_ident(cfg_peek(lx), false) || cfg_peek(lx) == '.')
		lx->pos++;
	n = lx->pos - start;
	if (n >= 64)
		return cfg_syntax(lx, "number too long");
	a->text = strndup(lx->text + start, n);
	if (!a->text)
		return -ENOMEM;
	a->type = CFG_VALUE_INT;
	rc = cfg_number_value(a->text, &a->num);
	if (rc == -ERANGE)
		return cfg_syntax(lx, "number %s is too large", a->text);
	if (rc)
		return cfg_syntax(lx, "invalid number '%s'", a->text);
	return 0;
}

static int cfg_unexpected(struct cfg_lexer *lx, const char *expected)
{
	int c = cfg_peek(lx);

	if (c < 0)
		return cfg_syntax(lx, "%s, got end of file", expected);
	if (c == '\n')
		return cfg_syntax(lx, "%s, got end of line", expected);
	if (cfg_is_ident(c, true)) {
		size_t n = 0;

		while (n < 40 && lx->pos + n < lx->len &&
		       cfg_is_ident((unsigned char)lx->text[lx->pos + n], false))
			n++;
		return cfg_syntax(lx, "%s, got '%.*s' (strings need quotes)", expected, (int)n,
				  lx->text + lx->pos);
	}
	if (c >= 0x20 && c < 0x7f)
		return cfg_syntax(lx, "%s, got '%c'", expected, c);
	return cfg_syntax(lx, "%s, got byte 0x%02x", expected, (unsigned int)c);
}

static int cfg_lex_atom(struct cfg_lexer *lx, struct cfg_atom *a)
{
	int c = cfg_peek(lx);

	if (c == '"' || c == '\'')
		return cfg_lex_string(lx, a);
	if (c >= '0' && c <= '9')
		return cfg_lex_number(lx, a);
	return cfg_unexpected(lx, "expected a value");
}

static void cfg_atom_free(struct cfg_atom *a)
{
	free(a->text);
	a->text = NULL;
}

static int cfg_list_push(struct cfg_setting *s, struct cfg_lexer *lx, const struct cfg_atom *a)
{
	struct cfg_atom *items;

	if (s->n_items >= CFG_MAX_ITEMS)
		return cfg_syntax(lx, "list longer than %u items", CFG_MAX_ITEMS);
	items = realloc(s->items, (s->n_items + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	s->items = items;
	s->items[s->n_items++] = *a;
	return 0;
}

/* After '[': atoms separated by commas, an optional trailing comma, ']'. */
static int cfg_parse_list(struct cfg_lexer *lx, struct cfg_setting *s)
{
	int open_line = lx->line, rc;

	s->type = CFG_VALUE_LIST;
	for (;;) {
		struct cfg_atom a = {0};

		cfg_skip_space(lx, true);
		if (cfg_peek(lx) == ']')
			break;
		if (cfg_peek(lx) < 0) {
			lx->line = open_line;
			return cfg_syntax(lx, "unterminated list");
		}
		if (cfg_peek(lx) == '[')
			return cfg_syntax(lx, "lists cannot be nested");
		rc = cfg_lex_atom(lx, &a);
		if (rc == 0)
			rc = cfg_list_push(s, lx, &a);
		if (rc) {
			cfg_atom_free(&a);
			return rc;
		}
		cfg_skip_space(lx, true);
		if (cfg_peek(lx) == ',')
			lx->pos++;
		else if (cfg_peek(lx) != ']')
			return cfg_peek(lx) < 0
				       ? (lx->line = open_line, cfg_syntax(lx, "unterminated list"))
				       : cfg_unexpected(lx, "expected ',' or ']' in list");
	}
	lx->pos++;
	return 0;
}

static int cfg_parse_value(struct cfg_lexer *lx, struct cfg_setting *s)
{
	cfg_skip_space(lx, false);
	if (cfg_peek(lx) == '[') {
		lx->pos++;
		return cfg_parse_list(lx, s);
	}
	s->type = CFG_VALUE_STRING;
	if (cfg_peek(lx) != '"' && cfg_peek(lx) != '\'' &&
	    !(cfg_peek(lx) >= '0' && cfg_peek(lx) <= '9'))
		return cfg_unexpected(lx, "expected a value after '='");
	if (cfg_lex_atom(lx, &s->atom))
		return -EINVAL;
	s->type = s->atom.type;
	return 0;
}

static void cfg_setting_free(struct cfg_setting *s)
{
	free(s->key);
	cfg_atom_free(&s->atom);
	for (size_t i = 0; i < s->n_items; i++)
		cfg_atom_free(&s->items[i]);
	free(s->items);
	free(s);
}

static void cfg_doc_append(struct cfg_doc *doc, struct cfg_setting *s)
{
	if (doc->tail)
		doc->tail->next = s;
	else
		doc->head = s;
	doc->tail = s;
}

/* One `key = value` starting at an identifier; appended to doc on success. */
static int cfg_parse_setting(struct cfg_lexer *lx, struct cfg_doc *doc,
			     const struct cfg_origin *origin)
{
	size_t start = lx->pos;
	struct cfg_setting *s;
	int rc;

	while (cfg_is_ident(cfg_peek(lx), false))
		lx->pos++;
	if (lx->pos - start > 64)
		return cfg_syntax(lx, "key longer than 64 characters");
	s = calloc(1, sizeof(*s));
	if (!s || !(s->key = strndup(lx->text + start, lx->pos - start))) {
		free(s);
		return -ENOMEM;
	}
	s->origin = origin;
	s->line = lx->line;
	cfg_skip_space(lx, false);
	if (cfg_peek(lx) != '=')
		rc = cfg_unexpected(lx, "expected '=' after the key");
	else
		rc = (lx->pos++, cfg_parse_value(lx, s));
	if (rc) {
		cfg_setting_free(s);
		return rc;
	}
	cfg_doc_append(doc, s);
	return 0;
}

static int cfg_end_of_setting(struct cfg_lexer *lx)
{
	int c;

	cfg_skip_space(lx, false);
	c = cfg_peek(lx);
	if (c < 0 || c == '\n' || c == ';')
		return 0;
	return cfg_unexpected(lx, "expected end of line after the value");
}

static int cfg_parse_all(struct cfg_lexer *lx, struct cfg_doc *doc, const struct cfg_origin *origin)
{
	for (;;) {
		int c, rc;

		cfg_skip_space(lx, false);
		c = cfg_peek(lx);
		if (c < 0)
			return 0;
		if (c == '\n' || c == ';') {
			lx->line += c == '\n';
			lx->pos++;
			continue;
		}
		if (!cfg_is_ident(c, true))
			return cfg_unexpected(lx, "expected a key");
		rc = cfg_parse_setting(lx, doc, origin);
		if (rc == 0)
			rc = cfg_end_of_setting(lx);
		if (rc)
			return rc;
	}
}

static struct cfg_origin *cfg_origin_add(struct cfg_doc *doc, const char *file, const char *basedir)
{
	struct cfg_origin *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->file = strdup(file);
	o->basedir = strdup(basedir);
	if (!o->file || !o->basedir) {
		free(o->file);
		free(o->basedir);
		free(o);
		return NULL;
	}
	o->next = doc->origins;
	doc->origins = o;
	return o;
}

int cfg_doc_parse(struct cfg_doc *doc, const char *text, size_t len, const char *file,
		  const char *basedir, char *err, size_t errlen)
{
	struct cfg_lexer lx = {text, len, 0, 1, file, err, errlen};
	const struct cfg_origin *origin;
	int rc;

	if (len > CFG_PARSE_MAX_TEXT) {
		snprintf(err, errlen, "%s: larger than %u bytes", file, CFG_PARSE_MAX_TEXT);
		return -EFBIG;
	}
	origin = cfg_origin_add(doc, file, basedir);
	if (!origin) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	rc = cfg_parse_all(&lx, doc, origin);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s:%d: out of memory", file, lx.line);
	return rc;
}

const struct cfg_setting *cfg_doc_find(const struct cfg_doc *doc, const char *key)
{
	const struct cfg_setting *found = NULL;

	for (const struct cfg_setting *s = doc->head; s; s = s->next)
		if (strcmp(s->key, key) == 0)
			found = s;
	return found;
}

void cfg_doc_free(struct cfg_doc *doc)
{
	struct cfg_setting *s = doc->head, *next;
	struct cfg_origin *o = doc->origins, *onext;

	for (; s; s = next) {
		next = s->next;
		cfg_setting_free(s);
	}
	for (; o; o = onext) {
		onext = o->next;
		free(o->file);
		free(o->basedir);
		free(o);
	}
	memset(doc, 0, sizeof(*doc));
}

/* Quote str for a message: printable ASCII as is, the rest as \xHH, at most 40 bytes. */
void cfg_quote(const char *str, char *buf, size_t cap)
{
	size_t n = 0, i;

	if (cap < 8)
		return;
	buf[n++] = '"';
	for (i = 0; str[i] && i < 40 && n + 6 < cap; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", c);
	}
	if (str[i] && n + 5 < cap) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

void cfg_value_describe(const struct cfg_setting *s, char *buf, size_t cap)
{
	if (s->type == CFG_VALUE_LIST)
		snprintf(buf, cap, "a list");
	else if (s->type == CFG_VALUE_INT)
		snprintf(buf, cap, "%s", s->atom.text);
	else
		cfg_quote(s->atom.text, buf, cap);
}
