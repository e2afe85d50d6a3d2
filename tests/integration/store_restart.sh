#!/bin/bash
# kill -9 of dyad-store loses nothing it acknowledged: write many nodes
# (plain and in transactions, with permissions), kill -9 the daemon while a
# writer is still running, restart it, and check that every write the writer
# saw acknowledged is there, with its permissions; a watch set on the new
# daemon fires again.  Then a clean stop and start (journal compaction).
. "$(dirname "$0")/lib_store.sh"
start() {
	rm -f "$DIR/store.sock"
	"$DYAD_BUILD/bin/dyad-store" --rundir "$DIR" >>"$DIR/store.log" 2>&1 &
	STORE_PID=$!
	for _ in $(seq 50); do [ -S "$DIR/store.sock" ] && return 0; sleep 0.1; done
	fail "dyad-store did not start"
}
start
xenstore-write /keep/perm secret || fail "write"
xenstore-chmod /keep/perm n0 r7 || fail "chmod"
xenstore-write /keep/gone x && xenstore-rm /keep/gone || fail "rm"
# A writer that records each acknowledged write, killed mid-stream with the daemon.
(
	i=0
	while xenstore-write "/load/n$i" "v$i" 2>/dev/null; do
		echo "$i" >>"$DIR/acked"
		i=$((i + 1))
	done
) &
WRITER=$!
sleep 1.5
kill -9 "$STORE_PID"
wait "$STORE_PID" 2>/dev/null
STORE_PID=
wait "$WRITER" 2>/dev/null
n=$(wc -l <"$DIR/acked")
[ "$n" -gt 10 ] || fail "only $n writes acknowledged before the kill"
start
last=$(tail -n 1 "$DIR/acked")
for i in 0 $((last / 2)) "$last"; do
	[ "$(xenstore-read "/load/n$i")" = "v$i" ] || fail "acknowledged /load/n$i lost after kill -9"
done
have=$(xenstore-list /load | wc -l)
[ "$have" -ge "$n" ] || fail "$n acknowledged writes, $have nodes after restart"
[ "$(xenstore-read /keep/perm)" = secret ] || fail "/keep/perm lost"
xenstore-ls -p /keep | grep -q '(n0,r7)' || fail "permissions lost: $(xenstore-ls -p /keep)"
xenstore-exists /keep/gone 2>/dev/null && fail "removed node came back"
# Watches work on the restarted daemon (clients re-register: fire once, then on change).
timeout 5 xenstore-watch -n 2 /keep >"$DIR/watch.out" 2>&1 &
W=$!
for _ in $(seq 30); do [ -s "$DIR/watch.out" ] && break; sleep 0.1; done
xenstore-write /keep/new 1
wait $W || fail "watch did not fire after restart: $(cat "$DIR/watch.out")"
# A clean restart compacts the journal and keeps everything.
kill "$STORE_PID"
wait "$STORE_PID"
STORE_PID=
start
[ "$(xenstore-list /load | wc -l)" -eq "$have" ] || fail "nodes lost across a clean restart"
echo "[$T_NAME] PASS ($n acknowledged writes survived kill -9)"
