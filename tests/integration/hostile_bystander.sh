#!/bin/bash
# The hostile guest hammers the event-channel, grant-table and hypercall ABI
# (also naming a bystander's domid, ports and refs) for several rounds;
# every bad call is answered with an error, and afterwards the core (same
# pid, never restarted), dom0 (the supervisor, `dyad list`, a libdom0 event
# ping-pong) and the bystander (still printing) are all healthy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_evtchn.sh"

t_start by spin
t_wait_line 20 by "spin: 1"
hv_pid=$(cat "$DYAD_RUNDIR/dyad-hv.pid")
dom0_pid=$(cat "$DYAD_RUNDIR/dyad-dom0.pid")
t_start hx "hostile peer=$(t_domid by) rounds=5"
t_wait 120 t_console_fgrep hx "hostile: " || t_fail "hostile printed nothing"
t_wait 120 t_not_listed hx || t_fail "hostile still running after 120 s"
grep -q "NOT REFUSED" "$DYAD_RUNDIR/hx.out" && t_fail "some hostile calls were accepted:
$(grep "NOT REFUSED" "$DYAD_RUNDIR/hx.out" | head -20)"
grep -q "hostile: [0-9]* calls, all refused" "$DYAD_RUNDIR/hx.out" ||
	t_fail "no 'all refused' summary; last lines:
$(tail -n 20 "$DYAD_RUNDIR/hx.out")"

# The core and the supervisor are the same processes, alive.
kill -0 "$hv_pid" 2>/dev/null || t_fail "dyad-hv died"
t_assert_eq "dyad-hv pid" "$hv_pid" "$(cat "$DYAD_RUNDIR/dyad-hv.pid")"
kill -0 "$dom0_pid" 2>/dev/null || t_fail "dyad-dom0 died"
"$DYAD" list >"$DYAD_RUNDIR/peer-list.out" 2>&1 || t_fail "dyad list failed: $(cat "$DYAD_RUNDIR/peer-list.out")"
t_assert_contains "$DYAD_RUNDIR/peer-list.out" "by"
# The bystander keeps printing.
last() { t_console by | grep -o 'spin: [0-9]*' | tail -n1 | cut -d' ' -f2; }
a=$(last)
sleep 1
b=$(last)
[ "${b:-0}" -gt "${a:-0}" ] || t_fail "bystander stopped printing (spin: $a then $b)"
# Event channels still work end to end.
t_start srv "evtchn-ping count=1000"
port=$(t_grab 20 srv 's/.*evtchn-ping: port \([0-9]*\).*/\1/p') || t_fail "srv offered no port"
"$PEER" ping "$(t_domid srv)" "$port" 1000 >"$DYAD_RUNDIR/peer-ping.out" 2>&1 ||
	t_fail "ping after hostile failed: $(cat "$DYAD_RUNDIR/peer-ping.out")"
t_log "$(grep -c 'hostile: .* -> ' "$DYAD_RUNDIR/hx.out") bad calls printed; ok"
