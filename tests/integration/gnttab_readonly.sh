#!/bin/bash
# A read-only grant refuses a write mapping (dom0 and a guest alike) and
# allows a read-only one, which sees the granter's bytes and keeps the
# granter's end_access refused until it is unmapped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"

t_start ro "gnttab-exercise ro=1"
dom=$(t_domid ro)
ref=$(t_grab 20 ro 's/.*gnttab: ref \([0-9]*\) gfn 0x[0-9a-f]* ro.*/\1/p') ||
	t_fail "ro granted nothing: $(t_console ro)"
"$PEER" gnt-map "$dom" "$ref" rw >"$DYAD_RUNDIR/peer-rw.out" 2>&1 || t_fail "gnt-map rw: $(cat "$DYAD_RUNDIR/peer-rw.out")"
t_assert_contains "$DYAD_RUNDIR/peer-rw.out" "evtchn_peer: map ref $ref rw: -13"
"$PEER" gnt-map "$dom" "$ref" ro 1500 >"$DYAD_RUNDIR/peer-ro.out" 2>&1 || t_fail "gnt-map ro: $(cat "$DYAD_RUNDIR/peer-ro.out")"
t_assert_contains "$DYAD_RUNDIR/peer-ro.out" "evtchn_peer: map ref $ref ro: 0"
t_assert_contains "$DYAD_RUNDIR/peer-ro.out" "evtchn_peer: ref $ref first qword 0xa5a5a5a5a5a5a5a5"
t_assert_contains "$DYAD_RUNDIR/peer-ro.out" "evtchn_peer: unmapped ref $ref: 0"
flags=$("$PEER" gnt-flags "$dom" "$ref")
case "$flags" in
*"flags 0x0005" | *"flags 0x0000" | *"flags: -3") ;; # kept, revoked, or the guest is gone
*) t_fail "status bits left after dom0's unmap: $flags" ;;
esac
t_wait_line 20 ro "gnttab: ref $ref mapped by peer"
t_wait_line 20 ro "gnttab: end_access ref $ref refused while mapped (-16)"
t_wait_line 20 ro "gnttab: end_access ref $ref ok"
t_log "ok"
