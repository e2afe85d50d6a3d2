#!/bin/bash
# dyad-store survives the core going away (contract §4): after kill -9 of
# dyad-hv (every domain dies with it; the supervisor restarts the core) the
# store reconnects to the new core on its own, finds that the domain it had
# attached is gone and removes its nodes and releases it, and attaches the
# ring of a domain created afterwards.
. "$(dirname "$0")/lib.sh"
PEER="$DYAD_BUILD/tests/store_ring_peer"
[ -x "$PEER" ] || t_fail "$PEER is not built"
"$DYAD" list >/dev/null 2>&1
t_wait 10 test -S "$DYAD_RUNDIR/store.sock" || t_fail "dyad-store did not come up"
SLOG=$DYAD_RUNDIR/dyad-store.log

"$DYAD" create -p "$(t_cfg before idle)" >"$DYAD_RUNDIR/create.out" 2>&1 ||
	t_fail "create failed: $(cat "$DYAD_RUNDIR/create.out")"
id=$("$DYAD" domid before) || t_fail "no domid"
"$PEER" attach "$id" >"$DYAD_RUNDIR/peer.out" 2>&1 || t_fail "attach: $(cat "$DYAD_RUNDIR/peer.out")"
"$DYAD" store write "/local/domain/$id/data/x" 1 >/dev/null || t_fail "store write"
hv=$(cat "$DYAD_RUNDIR/dyad-hv.pid")
kill -9 "$hv"
t_wait 20 grep -q "lost the core's control socket" "$SLOG" || t_fail "the store did not notice the core's death"
t_wait 20 bash -c "[ \$(grep -c 'connected to the core' '$SLOG') -ge 2 ]" ||
	t_fail "the store did not reconnect to the restarted core"
t_wait 10 grep -q "domain $id destroyed: released" "$SLOG" || t_fail "domain $id was not released"
"$DYAD" store read "/local/domain/$id/data/x" >/dev/null 2>&1 && t_fail "/local/domain/$id survived its domain"
t_wait 20 bash -c "'$DYAD' create -p '$(t_cfg after idle)' >'$DYAD_RUNDIR/create2.out' 2>&1" ||
	t_fail "create after the core restart failed: $(cat "$DYAD_RUNDIR/create2.out")"
id2=$("$DYAD" domid after) || t_fail "no domid for after"
"$PEER" attach "$id2" >"$DYAD_RUNDIR/peer2.out" 2>&1 || t_fail "attach: $(cat "$DYAD_RUNDIR/peer2.out")"
"$PEER" basic "$id2" >>"$DYAD_RUNDIR/peer2.out" 2>&1 || t_fail "basic: $(tail "$DYAD_RUNDIR/peer2.out")"
t_log "ok (domain $id released after the core died; $id2 served by the same store)"
