/*
 * The syntax of xl.cfg files (Xen's libxlu in spirit): `key = value`
 * settings separated by newlines or `;`, `#` comments, values that are
 * "strings" or 'strings' (with C-like escapes), integers (decimal or 0x
 * hex) or [ lists, of, atoms ] that may span lines and end with a comma.
 * The result is a list of settings, each remembering the file and line it
 * came from, so that the meaning layer (cfg.c) can name them in its errors.
 * Several texts (a file, then the command line's key=value overrides) can be
 * parsed into one document; a later setting of a key wins, as in xl.
 */
#ifndef DYAD_CFG_PARSE_H
#define DYAD_CFG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define CFG_PARSE_MAX_TEXT (1u << 20) /* bytes per parsed text */

enum cfg_value_type {
	CFG_VALUE_STRING,
	CFG_VALUE_INT,
	CFG_VALUE_LIST,
};

/* A scalar: a string (dequoted) or an integer (text as written, plus value). */
struct cfg_atom {
	enum cfg_value_type type; /* STRING or INT */
	char *text;
	uint64_t num;
};

/* Where a text came from: its name in messages and the directory for relative paths. */
struct cfg_origin {
	char *file;
	char *basedir;
	struct cfg_origin *next;
};

struct cfg_setting {
	char *key;
	const struct cfg_origin *origin;
	int line;
	enum cfg_value_type type;
	struct cfg_atom atom;	/* STRING or INT */
	struct cfg_atom *items; /* LIST */
	size_t n_items;
	struct cfg_setting *next;
};

struct cfg_doc {
	struct cfg_setting *head, *tail;
	struct cfg_origin *origins;
};

/*
 * Parse len bytes of text into doc.  file names the text in messages,
 * basedir is where its relative paths point.  On a syntax error returns
 * -EINVAL with err = "FILE:LINE: syntax error: WHAT"; doc keeps the
 * settings parsed before the error (free it with cfg_doc_free).
 */
int cfg_doc_parse(struct cfg_doc *doc, const char *text, size_t len, const char *file,
		  const char *basedir, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The last setting of key, or NULL. */
const struct cfg_setting *cfg_doc_find(const struct cfg_doc *doc, const char *key);
void cfg_doc_free(struct cfg_doc *doc);

/* Render a value for a message: "text" for strings, 42 for integers, "a list". */
void cfg_value_describe(const struct cfg_setting *s, char *buf, size_t cap);
/* "str" with non-printable bytes as \xHH, cut at 40 bytes with "..." (cap >= 8). */
void cfg_quote(const char *str, char *buf, size_t cap);

#endif /* DYAD_CFG_PARSE_H */
