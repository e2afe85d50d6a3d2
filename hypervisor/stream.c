/*
 * Byte ring with absolute offsets (see stream.h).  Byte at offset o lives
 * at buf[o % STREAM_KEEP]; the kept window is [end - KEEP, end).
 */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int stream_init(struct stream *s)
{
	s->buf = malloc(STREAM_KEEP);
	if (!s->buf)
		return -ENOMEM;
	s->end = 0;
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

void stream_fini(struct stream *s)
{
	if (!s->buf)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->buf);
	s->buf = NULL;
}

/* Copy len <= STREAM_KEEP bytes into the ring at offset `at`, wrapping once. */
static void stream_put(struct stream *s, uint64_t at, const uint8_t *p, size_t len)
{
	size_t pos = (size_t)(at % STREAM_KEEP);
	size_t first = len < STREAM_KEEP - pos ? len : STREAM_KEEP - pos;

	memcpy(s->buf + pos, p, first);
	memcpy(s->buf, p + first, len - first);
}

void stream_write(struct stream *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	pthread_mutex_lock(&s->lock);
	if (len > STREAM_KEEP) { /* only the tail survives anyway */
		s->end += len - STREAM_KEEP;
		p += len - STREAM_KEEP;
		len = STREAM_KEEP;
	}
	stream_put(s, s->end, p, len);
	s->end += len;
	pthread_mutex_unlock(&s->lock);
}

uint64_t stream_end(struct stream *s)
{
	uint64_t e;

	pthread_mutex_lock(&s->lock);
	e = s->end;
	pthread_mutex_unlock(&s->lock);
	return e;
}

size_t stream_read(struct stream *s, uint64_t offset, void *dst, size_t cap, uint64_t *start)
{
	uint64_t oldest;
	size_t n, pos, first;

	*start = 0;
	if (!s->buf)
		return 0;
	pthread_mutex_lock(&s->lock);
	oldest = s->end > STREAM_KEEP ? s->end - STREAM_KEEP : 0;
	if (offset < oldest)
		offset = oldest;
	if (offset > s->end)
		offset = s->end;
	n = (size_t)(s->end - offset) < cap ? (size_t)(s->end - offset) : cap;
	pos = (size_t)(offset % STREAM_KEEP);
	first = n < STREAM_KEEP - pos ? n : STREAM_KEEP - pos;
	memcpy(dst, s->buf + pos, first);
	memcpy((uint8_t *)dst + first, s->buf, n - first);
	pthread_mutex_unlock(&s->lock);
	*start = offset;
	return n;
}
