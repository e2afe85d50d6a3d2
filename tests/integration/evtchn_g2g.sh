#!/bin/bash
# Event channels guest <-> guest: a server offers a port to the client's
# domid, the client binds it and counts 10,000 round trips, none lost.
# This run directory has its own core, so the two guests get domids 1, 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"
N=10000

t_start srv "evtchn-ping peer=2 count=$N"
t_assert_eq "server domid" 1 "$(t_domid srv)"
port=$(t_grab 20 srv 's/.*evtchn-ping: port \([0-9]*\).*/\1/p') || t_fail "srv offered no port:
$(t_console srv)"
t_start cli "evtchn-ping role=client peer=1 remote_port=$port count=$N"
t_assert_eq "client domid" 2 "$(t_domid cli)"
t_wait_line 20 cli "evtchn-ping: bound port"
t_wait_line 60 cli "evtchn-ping: $N round trips, 0 lost"
t_wait_line 20 srv "evtchn-ping: bounced $N events"
t_log "$(t_console cli | grep -o 'trips, 0 lost, avg [0-9]* ns')"
t_log "ok"
