/*
 * One small logging module for every host process: levels, a per-process
 * prefix ("dyad-hv", "dyad-dom0"), printf-format checking, and rate limiting
 * for anything a guest or a client can trigger.
 */
#ifndef DYAD_LOG_H
#define DYAD_LOG_H

#include <stdarg.h>
#include <stdint.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Per-call-site rate limit: at most `burst` messages per `interval_ms`. */
struct log_ratelimit {
	uint64_t window_start_ms;
	unsigned int interval_ms;
	unsigned int burst;
	unsigned int printed;
	unsigned int suppressed;
};
#define LOG_RATELIMIT_INIT(ms, n)                                                                  \
	{                                                                                          \
		0, (ms), (n), 0, 0                                                                 \
	}

typedef void (*log_sink_fn)(enum log_level level, const char *line, void *opaque);

void log_init(const char *prefix, enum log_level max_level);
/* Also hand each formatted line to sink (e.g. the core's dmesg buffer). */
void log_set_sink(log_sink_fn sink, void *opaque);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Like log_msg unless rl is over its budget; says how many were dropped. */
void log_rl(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)   log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* A rate-limited warning with its own static budget: 10 per 5 s. */
#define log_warn_rl(...)                                                                           \
	do {                                                                                       \
		static struct log_ratelimit log_rl_site_ = LOG_RATELIMIT_INIT(5000, 10);           \
		log_rl(&log_rl_site_, LOG_LEVEL_WARN, __VA_ARGS__);                                \
	} while (0)

#endif /* DYAD_LOG_H */
