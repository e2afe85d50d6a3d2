#!/bin/bash
# Guest-to-guest mapping: B maps A's grant into its grant-map window, sees
# the pattern A writes after the map (same physical page), unmaps, and the
# window slot reads zeros again; A's end_access then succeeds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"

t_start ga "gnttab-exercise peer=2 write=0x5151515151515151"
t_assert_eq "granter domid" 1 "$(t_domid ga)"
ref=$(t_grab 20 ga 's/.*gnttab: ref \([0-9]*\) gfn 0x[0-9a-f]* rw.*/\1/p') ||
	t_fail "ga granted nothing: $(t_console ga)"
t_start gb "gnttab-exercise mode=map peer=1 ref=$ref"
t_assert_eq "mapper domid" 2 "$(t_domid gb)"
t_wait_line 20 gb "gnttab: mapped dom 1 ref $ref"
t_wait_line 20 ga "gnttab: wrote pattern 0x5151515151515151"
t_wait_line 20 gb "gnttab: saw pattern 0x5151515151515151"
t_wait_re 20 gb "gnttab: unmapped, slot reads 0x0+$"
t_wait_line 20 ga "gnttab: end_access ref $ref ok"
t_log "ok"
