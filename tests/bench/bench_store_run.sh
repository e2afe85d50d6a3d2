#!/bin/bash
# dyad-store side by side with Debian's C xenstored 4.17 (started by
# ../shared/peers/xenstored-ref/run) in the same run: both daemons pinned to
# CPU 0, every client pinned to CPU 1 (unpinned on a 1-CPU host), the same
# libxenstore client (bench_store) for both, and a bare UNIX-socket echo
# round trip as the floor.  Prints markdown table rows; not a timed test.
#   bench_store_run.sh BUILD [--smoke]
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SMOKE=${2:-}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
REF=${XSREF_RUN:-$SRC/../shared/peers/xenstored-ref/run}
SECS=2 DOMS=1000 REPS=50
[ "$SMOKE" = --smoke ] && SECS=0.3 DOMS=50 REPS=5
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
	DCPU="taskset -c 0" CCPU="taskset -c 1" place="daemons on CPU 0, clients on CPU 1"
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

declare -A R
for c in 1 8; do
	R[floor,$c]=$($CCPU "$B" floor "$c" "$SECS")
	for op in read write tx; do
		R[dyad,$op,$c]=$($CCPU "$B" ops "$DIR/dyad/store.sock" "$DPID" "$op" "$c" "$SECS")
		[ $have_ref = 1 ] && R[ref,$op,$c]=$($CCPU "$B" ops "$DIR/ref/socket" "$RPID" "$op" "$c" "$SECS")
	done
done
R[dyad,dom]=$($CCPU "$B" domains "$DIR/dyad/store.sock" "$DOMS" "$REPS")
[ $have_ref = 1 ] && R[ref,dom]=$($CCPU "$B" domains "$DIR/ref/socket" "$DOMS" "$REPS")

ref() { [ $have_ref = 1 ] && echo "${R[ref,$1]}" | kv "$2" || echo "—"; }
for c in 1 8; do
	for op in read write tx; do
		d=${R[dyad,$op,$c]}
		printf '| store %s, %s client(s): ops/s (us/op per client) | %s (%s) | xenstored: %s (%s); socket floor: %s (%s) | %s |\n' \
			"$op" "$c" "$(echo "$d" | kv ops_per_s)" "$(echo "$d" | kv us_per_op)" \
			"$(ref "$op,$c" ops_per_s)" "$(ref "$op,$c" us_per_op)" \
			"$(echo "${R[floor,$c]}" | kv ops_per_s)" "$(echo "${R[floor,$c]}" | kv us_per_op)" "$place"
		printf '| store %s, %s client(s): daemon CPU per op | %s us | xenstored: %s us | %s |\n' \
			"$op" "$c" "$(echo "$d" | kv daemon_cpu_us_per_op)" "$(ref "$op,$c" daemon_cpu_us_per_op)" "$place"
		[ -n "$(echo "$d" | kv ops_per_s)" ] || { echo "bench: no store $op figure" >&2; exit 1; }
	done
done
for n in 0 "$DOMS"; do
	printf '| store: create one domain'"'"'s nodes (tx, 8 nodes + perms) with %s domains present | %s us | xenstored: %s us | %s |\n' \
		"$n" "$(echo "${R[dyad,dom]}" | kv "domain_create_us_$n")" "$(ref dom "domain_create_us_$n")" "$place"
done
