#!/bin/bash
# kill -9 of dyad-store with domains attached to their rings (contract §4):
# the supervisor restarts it; it re-attaches every journalled domain the
# core still has and releases the others (one is destroyed while the store
# is stopped, so the store never hears the DESTROYED event); a request left
# in the ring before the kill is answered; the domain's restored watch
# fires once; a request naming a transaction of the old instance gets
# EAGAIN; committed nodes are all there.  store_ring_peer plays the guest.
. "$(dirname "$0")/lib.sh"
PEER="$DYAD_BUILD/tests/store_ring_peer"
[ -x "$PEER" ] || t_fail "$PEER is not built"
# Bring the daemons up and wait for the store's socket (create needs it).
"$DYAD" list >/dev/null 2>&1
t_wait 10 test -S "$DYAD_RUNDIR/store.sock" || t_fail "dyad-store did not come up"
peer() {
	"$PEER" "$@" >>"$DYAD_RUNDIR/peer.out" 2>&1 || t_fail "store_ring_peer $1 failed:
$(tail -n 15 "$DYAD_RUNDIR/peer.out")"
}
store_pid() { cat "$DYAD_RUNDIR/dyad-store.pid" 2>/dev/null; }

for n in keep gone; do
	"$DYAD" create -p "$(t_cfg $n idle)" >"$DYAD_RUNDIR/create-$n.out" 2>&1 ||
		t_fail "create $n failed: $(cat "$DYAD_RUNDIR/create-$n.out")"
done
keep=$("$DYAD" domid keep) && gone=$("$DYAD" domid gone) || t_fail "no domids"
peer attach "$keep"
peer attach "$gone"
"$DYAD" store write "/local/domain/$keep/data/before" committed >/dev/null || t_fail "store write"
peer prepare "$keep"
tx=$(sed -n 's/^store_ring_peer: tx \([0-9]*\)$/\1/p' "$DYAD_RUNDIR/peer.out" | tail -n1)
[ -n "$tx" ] || t_fail "no transaction id from prepare: $(cat "$DYAD_RUNDIR/peer.out")"

# Stop the store, destroy 'gone' behind its back, then kill it.
old=$(store_pid)
[ -n "$old" ] || t_fail "no dyad-store.pid"
kill -STOP "$old"
peer destroy "$gone"
t_wait 10 t_not_listed gone || t_fail "gone was not destroyed"
kill -9 "$old"
t_wait 20 bash -c "p=\$(cat '$DYAD_RUNDIR/dyad-store.pid' 2>/dev/null); [ -n \"\$p\" ] && [ \"\$p\" != $old ] && kill -0 \$p" ||
	t_fail "the supervisor did not restart dyad-store"
t_wait 10 "$DYAD" store read "/local/domain/$keep/data/before" >/dev/null 2>&1 ||
	t_fail "the restarted store does not answer"

peer resume "$keep" "$tx"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok request across the restart answered"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok old transaction gets EAGAIN"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok restored watch fired once"
t_assert_eq "data/before after kill -9" committed "$("$DYAD" store read "/local/domain/$keep/data/before")"
t_assert_eq "data/across after kill -9" yes "$("$DYAD" store read "/local/domain/$keep/data/across")"
grep -q "domain $keep: store ring .* (re-attached)" "$DYAD_RUNDIR/dyad-store.log" ||
	t_fail "domain $keep was not re-attached: $(tail -n 20 "$DYAD_RUNDIR/dyad-store.log")"
t_wait 10 bash -c "! '$DYAD' store read /local/domain/$gone >/dev/null 2>&1" ||
	t_fail "/local/domain/$gone (destroyed while the store was down) is still there"
grep -q "domain $gone destroyed: released" "$DYAD_RUNDIR/dyad-store.log" ||
	t_fail "domain $gone was not released after the restart"
# The re-attached ring keeps working with a fresh request.
peer basic "$keep"
t_log "ok (tx $tx of the old instance: EAGAIN; $gone released, $keep re-attached)"
