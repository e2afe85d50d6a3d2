#!/bin/bash
# dyad-store side by side with Debian's C xenstored 4.17 (started by
# ../shared/peers/xenstored-ref/run) in the same run: both daemons pinned to
# CPU 0, every client pinned to CPU 1 (unpinned on a 1-CPU host), the same
# libxenstore client (bench_store) for both, and a bare UNIX-socket echo
# round trip as the floor.  "classic" rows use libxenstore, one request
# outstanding per connection, as every Xen client does; "pipelined" rows use
# a raw xs_wire client (bench_store_wire.c) keeping $DEPTH requests
# outstanding per connection, the same client for both daemons and for the
# floor, to show daemon capacity when clients do not hold it back.  Daemon
# CPU per op comes from /proc/PID/stat utime+stime.  Prints markdown table
# rows; not a timed test.
#   bench_store_run.sh BUILD [--smoke]
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SMOKE=${2:-}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
REF=${XSREF_RUN:-$SRC/../shared/peers/xenstored-ref/run}
SECS=1 RUNS=3 DOMS=1000 REPS=50 DEPTH=16
[ "$SMOKE" = --smoke ] && SECS=0.3 RUNS=1 DOMS=50 REPS=5
B="$BUILD/tests/bench_store"
[ -x "$B" ] || { echo "bench: $B not built (libxenstore missing?)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/dybs.XXXXXX)
DPID= RPID=
cleanup() {
	for p in $DPID $RPID; do kill "$p" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT
if [ "$(nproc)" -ge 2 ]; then
	DCPU="taskset -c 0" CCPU="taskset -c 1" place="daemons and echo server on CPU 0, clients on CPU 1"
	export BENCH_SERVER_CPU=0
else
	DCPU="" CCPU="" place="unpinned, 1 CPU"
fi
grep -q 'DYAD_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && place="$place; dyad-store built with ASan+UBSan"
kv() { sed -n "s/^/ /; s/.* $1=\([0-9.]*\).*/\1/p"; }

mkdir -p "$DIR/dyad" "$DIR/ref"
$DCPU "$BUILD/bin/dyad-store" --rundir "$DIR/dyad" >"$DIR/dyad.log" 2>&1 &
DPID=$!
for _ in $(seq 50); do [ -S "$DIR/dyad/store.sock" ] && break; sleep 0.1; done
have_ref=0
if [ -x "$REF" ] && RPID=$($DCPU "$REF" "$DIR/ref" 2>"$DIR/ref.err"); then
	have_ref=1
else
	echo "bench: reference xenstored unavailable: $(cat "$DIR/ref.err" 2>/dev/null)" >&2
fi

# Each figure is the median (by ops/s) of $RUNS runs of $SECS s; within a
# run the two daemons and the floor alternate, so load from other work on
# the host falls on all of them alike.
declare -A R
meas() { # KEY COMMAND...: append one result line
	local k=$1
	shift
	R[$k]+="$($CCPU "$@")"$'\n'
}
for _ in $(seq "$RUNS"); do
	for c in 1 8; do
		meas "floor,$c" "$B" floor "$c" "$SECS"
		for op in read write tx; do
			meas "dyad,$op,$c" "$B" ops "$DIR/dyad/store.sock" "$DPID" "$op" "$c" "$SECS"
			[ $have_ref = 1 ] && meas "ref,$op,$c" "$B" ops "$DIR/ref/socket" "$RPID" "$op" "$c" "$SECS"
			meas "dyad,p$op,$c" "$B" wire "$DIR/dyad/store.sock" "$DPID" "$op" "$c" "$SECS" "$DEPTH"
			[ $have_ref = 1 ] && meas "ref,p$op,$c" "$B" wire "$DIR/ref/socket" "$RPID" "$op" "$c" "$SECS" "$DEPTH"
		done
		meas "pfloor,$c" "$B" floor "$c" "$SECS" "$DEPTH"
	done
done
for k in "${!R[@]}"; do # keep the median line
	R[$k]=$(printf '%s' "${R[$k]}" | awk '{ v = $0; sub(/.*ops_per_s=/, "", v); sub(/ .*/, "", v); print v, $0 }' |
		sort -n | awk '{ l[NR] = $0 } END { m = l[int((NR + 1) / 2)]; sub(/^[^ ]* /, "", m); print m }')
done
R[dyad,dom]=$($CCPU "$B" domains "$DIR/dyad/store.sock" "$DOMS" "$REPS")
[ $have_ref = 1 ] && R[ref,dom]=$($CCPU "$B" domains "$DIR/ref/socket" "$DOMS" "$REPS")

ref() { [ $have_ref = 1 ] && echo "${R[ref,$1]}" | kv "$2" || echo "—"; }
row() { # KIND OP CLIENTS FLOORKEY
	local d=${R[dyad,$2,$3]} f=${R[$4,$3]}
	printf '| store %s %s, %s client(s): ops/s (us/op per client) | %s (%s) | xenstored: %s (%s); socket floor: %s (%s) | %s |\n' \
		"$1" "${2#p}" "$3" "$(echo "$d" | kv ops_per_s)" "$(echo "$d" | kv us_per_op)" \
		"$(ref "$2,$3" ops_per_s)" "$(ref "$2,$3" us_per_op)" \
		"$(echo "$f" | kv ops_per_s)" "$(echo "$f" | kv us_per_op)" "$place"
	printf '| store %s %s, %s client(s): daemon CPU per op | %s us | xenstored: %s us; socket floor server: %s us | %s |\n' \
		"$1" "${2#p}" "$3" "$(echo "$d" | kv daemon_cpu_us_per_op)" "$(ref "$2,$3" daemon_cpu_us_per_op)" \
		"$(echo "$f" | kv daemon_cpu_us_per_op)" "$place"
	[ -n "$(echo "$d" | kv ops_per_s)" ] || { echo "bench: no store $1 $2 figure" >&2; exit 1; }
}
for c in 1 8; do
	for op in read write tx; do
		row "classic (libxenstore, 1 outstanding)" "$op" "$c" floor
	done
done
for c in 1 8; do
	for op in read write tx; do
		row "pipelined (raw xs_wire, $DEPTH outstanding per client)" "p$op" "$c" pfloor
	done
done
for n in 0 "$DOMS"; do
	printf '| store: create one domain'"'"'s nodes (tx, 8 nodes + perms) with %s domains present | %s us | xenstored: %s us | %s |\n' \
		"$n" "$(echo "${R[dyad,dom]}" | kv "domain_create_us_$n")" "$(ref dom "domain_create_us_$n")" "$place"
done
