/*
 * The core log stream (see dmesg.h): a log sink that appends each line.
 */
#include "dmesg.h"

#include <string.h>

#include "log.h"
#include "notify.h"

static struct stream dmesg;

/* Called by log.c under its lock: never logs, only copies and kicks. */
static void dmesg_sink(enum log_level level, const char *line, void *opaque)
{
	(void)level;
	(void)opaque;
	stream_write(&dmesg, line, strlen(line));
	stream_write(&dmesg, "\n", 1);
	notify_kick();
}

int dmesg_init(void)
{
	int rc = stream_init(&dmesg);

	if (rc)
		return rc;
	log_set_sink(dmesg_sink, NULL);
	return 0;
}

void dmesg_fini(void)
{
	log_set_sink(NULL, NULL);
	stream_fini(&dmesg);
}

struct stream *dmesg_stream(void)
{
	return &dmesg;
}
