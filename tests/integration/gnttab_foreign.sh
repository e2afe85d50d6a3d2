#!/bin/bash
# A grant is for its grantee only.  A (domid 1) grants a page to B
# (domid 2); dom0 and a third guest C both fail to map it (GNTST_general_error,
# -EACCES in libdom0); B maps it, writes a pattern the granter sees, unmaps,
# and A then revokes the grant.  (Own core per test: domids are 1, 2, 3.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"

t_start ga "gnttab-exercise peer=2"
t_assert_eq "granter domid" 1 "$(t_domid ga)"
ref=$(t_grab 20 ga 's/.*gnttab: ref \([0-9]*\) gfn 0x[0-9a-f]* rw.*/\1/p') ||
	t_fail "ga granted nothing: $(t_console ga)"
"$PEER" gnt-map 1 "$ref" rw >"$DYAD_RUNDIR/peer-d0.out" 2>&1 || t_fail "gnt-map: $(cat "$DYAD_RUNDIR/peer-d0.out")"
t_assert_contains "$DYAD_RUNDIR/peer-d0.out" "evtchn_peer: map ref $ref rw: -13"
"$PEER" gnt-map 1 "$ref" ro >"$DYAD_RUNDIR/peer-d0ro.out" 2>&1 || t_fail "gnt-map: $(cat "$DYAD_RUNDIR/peer-d0ro.out")"
t_assert_contains "$DYAD_RUNDIR/peer-d0ro.out" "evtchn_peer: map ref $ref ro: -13"
t_start gb "gnttab-exercise mode=map peer=1 ref=$ref write=0x4242424242424242"
t_assert_eq "grantee domid" 2 "$(t_domid gb)"
t_start gc "gnttab-exercise mode=map peer=1 ref=$ref expect=-1"
t_wait_line 20 gc "gnttab: map dom 1 ref $ref failed (-1)"
t_wait_line 20 gb "gnttab: mapped dom 1 ref $ref"
t_wait_line 20 gb "gnttab: wrote pattern 0x4242424242424242"
t_wait_line 20 ga "gnttab: saw pattern 0x4242424242424242"
t_wait_re 20 gb "gnttab: unmapped, slot reads 0x0+$"
t_wait_line 20 ga "gnttab: end_access ref $ref ok"
t_log "ok"
