#!/bin/bash
# dom0 writes a granted page and the guest sees it; while dom0 holds the
# mapping the guest's end_access is refused (GTF_writing/GTF_reading set by
# libdom0 exactly as Xen does); after the unmap it succeeds.  Then the same
# through GNTTABOP_copy semantics (libdom0 gnttab_copy).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"

t_start gw "gnttab-exercise"
ref=$(t_grab 20 gw 's/.*gnttab: ref \([0-9]*\) gfn 0x[0-9a-f]* rw.*/\1/p') ||
	t_fail "gw granted nothing: $(t_console gw)"
"$PEER" gnt-fill "$(t_domid gw)" "$ref" 0x1122334455667788 1500 >"$DYAD_RUNDIR/peer-fill.out" 2>&1 ||
	t_fail "gnt-fill failed: $(cat "$DYAD_RUNDIR/peer-fill.out")"
t_assert_contains "$DYAD_RUNDIR/peer-fill.out" "evtchn_peer: filled ref $ref with 0x1122334455667788"
t_assert_contains "$DYAD_RUNDIR/peer-fill.out" "evtchn_peer: unmapped ref $ref: 0"
# dom0's unmap cleared GTF_reading|GTF_writing (the guest may have revoked it already: 0).
flags=$("$PEER" gnt-flags "$(t_domid gw)" "$ref")
case "$flags" in
*"flags 0x0001" | *"flags 0x0000" | *"flags: -3") ;; # kept, revoked, or the guest is gone
*) t_fail "status bits left after dom0's unmap: $flags" ;;
esac
t_wait_line 20 gw "gnttab: saw pattern 0x1122334455667788"
t_wait_line 20 gw "gnttab: end_access ref $ref refused while mapped (-16)"
t_wait_line 20 gw "gnttab: end_access ref $ref ok"

t_start gc "gnttab-exercise"
ref=$(t_grab 20 gc 's/.*gnttab: ref \([0-9]*\) gfn 0x[0-9a-f]* rw.*/\1/p') ||
	t_fail "gc granted nothing: $(t_console gc)"
"$PEER" gnt-copy "$(t_domid gc)" "$ref" 0x636f707970617374 >"$DYAD_RUNDIR/peer-copy.out" 2>&1 ||
	t_fail "gnt-copy failed: $(cat "$DYAD_RUNDIR/peer-copy.out")"
t_assert_contains "$DYAD_RUNDIR/peer-copy.out" "status 0 0, read back 0x636f707970617374"
t_wait_line 20 gc "gnttab: saw pattern 0x636f707970617374"
t_wait_line 20 gc "gnttab: end_access ref $ref ok"
t_log "ok"
