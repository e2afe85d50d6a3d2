/*
 * The store benchmark's raw xs_wire client (see bench_store_wire.c).
 */
#ifndef DYAD_BENCH_STORE_WIRE_H
#define DYAD_BENCH_STORE_WIRE_H

/*
 * Between start and end, repeat batches of depth operations of kind op
 * ('r' read, 'w' write, 't' write-transaction) on the store at path;
 * returns the operations answered without error, or -1.
 */
long bench_wire_client(const char *path, char op, int depth, double start, double end);

#endif /* DYAD_BENCH_STORE_WIRE_H */
