#!/bin/bash
# dyad-store serves a real domain's xenstore ring (contract §4): a paused
# guest's ring page is driven from dom0 by store_ring_peer, which plays the
# guest's xenbus client in the domain's own memory.  INTRODUCE attaches the
# page and the event channel and sets RECONNECTION; requests and replies
# (also longer than the ring) cross it with the guest's permissions; a watch
# fires; a garbage index costs the guest its connection (logged, the store
# keeps serving) until it RECONNECTs; destroying the domain removes its
# nodes and vm path and releases it (@releaseDomain fires for dom0).
. "$(dirname "$0")/lib.sh"
PEER="$DYAD_BUILD/tests/store_ring_peer"
[ -x "$PEER" ] || t_fail "$PEER is not built"
# Bring the daemons up and wait for the store's socket (create needs it).
"$DYAD" list >/dev/null 2>&1
t_wait 10 test -S "$DYAD_RUNDIR/store.sock" || t_fail "dyad-store did not come up"

"$DYAD" create -p "$(t_cfg ring idle)" >"$DYAD_RUNDIR/create.out" 2>&1 ||
	t_fail "create failed: $(cat "$DYAD_RUNDIR/create.out")"
id=$("$DYAD" domid ring) || t_fail "no domid for ring"
peer() {
	"$PEER" "$@" >>"$DYAD_RUNDIR/peer.out" 2>&1 || t_fail "store_ring_peer $1 failed:
$(tail -n 15 "$DYAD_RUNDIR/peer.out")"
}
peer attach "$id"
peer basic "$id"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok request longer than the ring"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok watch event data/from-dom0"
peer corrupt "$id"
t_assert_contains "$DYAD_RUNDIR/peer.out" "store_ring_peer: ok read after reconnect"
grep -q "domain $id: corrupt store ring" "$DYAD_RUNDIR/dyad-store.log" ||
	t_fail "the corrupt ring was not logged naming domain $id"
"$DYAD" store write /ringtest/alive yes >/dev/null 2>&1 || t_fail "store write after the corrupt ring"
t_assert_eq "store still serving" yes "$("$DYAD" store read /ringtest/alive 2>&1)"

# Destroy: a dom0 watcher sees @releaseDomain, the domain's nodes go.
XENSTORED_PATH=$DYAD_RUNDIR/store.sock timeout 20 xenstore-watch -n 2 @releaseDomain \
	>"$DYAD_RUNDIR/release.out" 2>&1 &
W=$!
sleep 0.5
vm=$("$DYAD" store read "/local/domain/$id/vm" 2>/dev/null)
"$DYAD" destroy ring >/dev/null 2>&1 || t_fail "destroy failed"
wait $W || t_fail "@releaseDomain did not fire: $(cat "$DYAD_RUNDIR/release.out")"
t_wait 10 bash -c "! '$DYAD' store read /local/domain/$id/data/ring >/dev/null 2>&1" ||
	t_fail "/local/domain/$id survived the destroy"
if [ -n "$vm" ]; then
	"$DYAD" store read "$vm/name" >/dev/null 2>&1 && t_fail "$vm survived the destroy"
fi
t_log "ok ($(grep -c "store_ring_peer: ok" "$DYAD_RUNDIR/peer.out") ring checks)"
