/*
 * Logging (see log.h).  Lines go to stderr, which daemons point at their log
 * file in the run directory, and optionally to one in-process sink.
 */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_prefix = "dyad";
static enum log_level log_max = LOG_LEVEL_INFO;
static log_sink_fn log_sink;
static void *log_sink_opaque;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_level_names[] = {"error", "warning", "info", "debug"};

void log_init(const char *prefix, enum log_level max_level)
{
	log_prefix = prefix;
	log_max = max_level;
}

void log_set_sink(log_sink_fn sink, void *opaque)
{
	pthread_mutex_lock(&log_lock);
	log_sink = sink;
	log_sink_opaque = opaque;
	pthread_mutex_unlock(&log_lock);
}

static uint64_t log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	int n;

	if (level > log_max)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof(line), "[%lld.%06ld] %s: %s: ", (long long)ts.tv_sec,
		     ts.tv_nsec / 1000, log_prefix, log_level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s\n", line);
	if (log_sink)
		log_sink(level, line, log_sink_opaque);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_rl(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	uint64_t now = log_now_ms();
	unsigned int dropped = 0;
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (now - rl->window_start_ms >= rl->interval_ms) {
		dropped = rl->suppressed;
		rl->window_start_ms = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed >= rl->burst) {
		rl->suppressed++;
		pthread_mutex_unlock(&log_lock);
		return;
	}
	rl->printed++;
	pthread_mutex_unlock(&log_lock);
	if (dropped)
		log_msg(level, "(%u similar messages suppressed)", dropped);
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
