/*
 * The append-only journal that makes the store survive kill -9.
 *
 * Every committed change (a node put or deleted, a domain introduced,
 * released or targeted) is appended to an in-memory batch as it happens;
 * the event loop writes the batch to the file - and, with fsync on,
 * fdatasync()s it - before it sends any reply or watch event caused by it.
 * Records carry a length and a checksum: a torn tail is ignored on replay.
 * At start-up the file is replayed, then rewritten as a compact snapshot
 * (write a new file, rename it over the old one); it is compacted again
 * whenever it grows past four times the last snapshot (and at least 8 MiB).
 */
#ifndef DYAD_STORE_JOURNAL_H
#define DYAD_STORE_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

struct store_core;
struct store_node;
struct store_journal;

int store_journal_open(const char *path, bool fsync_each, struct store_journal **out)
	__attribute__((warn_unused_result));
void store_journal_close(struct store_journal *j);

/* Replay the file into c (whose tree holds only the root); 0 or -errno. */
int store_journal_replay(struct store_journal *j, struct store_core *c)
	__attribute__((warn_unused_result));
/* Rewrite the file as a snapshot of c. */
int store_journal_compact(struct store_journal *j, struct store_core *c)
	__attribute__((warn_unused_result));

/* Append to the batch. */
void store_journal_put(struct store_journal *j, const struct store_node *n);
void store_journal_del(struct store_journal *j, const char *path);
void store_journal_domain(struct store_journal *j, uint32_t domid, uint64_t mfn, uint32_t port);
void store_journal_release(struct store_journal *j, uint32_t domid);
void store_journal_target(struct store_journal *j, uint32_t domid, uint32_t target);

/* Make the batch durable (write, and fdatasync if configured); 0 or -errno. */
int store_journal_flush(struct store_journal *j) __attribute__((warn_unused_result));
/* Whether the file has grown enough to be compacted. */
bool store_journal_wants_compaction(const struct store_journal *j);

#endif /* DYAD_STORE_JOURNAL_H */
