#!/bin/bash
# Event channels guest <-> dom0, 10,000 events each way, none lost:
#  1. the guest offers a port (evtchn-ping server); evtchn_peer (libdom0)
#     binds it and sends 10,000 events, each bounced back by the guest;
#  2. the guest is the client: it counts 10,000 round trips that evtchn_peer
#     bounces (guest doorbell -> ioeventfd -> dom0; dom0 notify -> irqfd).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"
N=10000

t_start srv "evtchn-ping count=$N"
port=$(t_grab 20 srv 's/.*evtchn-ping: port \([0-9]*\).*/\1/p') || t_fail "srv offered no port:
$(t_console srv)"
"$PEER" ping "$(t_domid srv)" "$port" $N >"$DYAD_RUNDIR/peer-ping.out" 2>&1 ||
	t_fail "evtchn_peer ping failed: $(cat "$DYAD_RUNDIR/peer-ping.out")"
t_assert_contains "$DYAD_RUNDIR/peer-ping.out" "evtchn_peer: $N round trips, 0 lost"
t_wait_line 20 srv "evtchn-ping: bounced $N events"

t_start cli "evtchn-ping role=client peer=0 count=$N"
port=$(t_grab 20 cli 's/.*evtchn-ping: port \([0-9]*\).*/\1/p') || t_fail "cli offered no port:
$(t_console cli)"
"$PEER" bounce "$(t_domid cli)" "$port" $N >"$DYAD_RUNDIR/peer-bounce.out" 2>&1 ||
	t_fail "evtchn_peer bounce failed: $(cat "$DYAD_RUNDIR/peer-bounce.out")"
t_assert_contains "$DYAD_RUNDIR/peer-bounce.out" "evtchn_peer: bounced $N events"
t_wait_line 30 cli "evtchn-ping: $N round trips, 0 lost"
t_log "$(grep -o 'avg [0-9]* ns' "$DYAD_RUNDIR/peer-ping.out") (dom0-measured), guest: $(t_console cli | grep -o 'trips, 0 lost, avg [0-9]* ns')"
t_log "ok"
