#!/bin/bash
# An idle guest (single-shot timer + SCHEDOP_block, no tick) uses almost no
# host CPU: the guest's own CPU time and the core's process time both stay low.
. "$(dirname "$0")/lib.sh"

hv_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$DYAD_RUNDIR/dyad-hv.pid")/stat"; }
guest_cpu() { "$DYAD" list --json idler | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["cpu_time"])'; }

"$DYAD" create "$(t_cfg idler idle)" >/dev/null 2>&1 || t_fail "idler did not start"
t_wait 20 t_console_has idler "idle: sleeping" || t_fail "idler printed nothing"
sleep 0.5
g0=$(guest_cpu)
h0=$(hv_ticks)
sleep 4
g1=$(guest_cpu)
h1=$(hv_ticks)
hz=$(getconf CLK_TCK)
t_log "guest cpu ${g0}s -> ${g1}s; dyad-hv ticks $h0 -> $h1 (${hz}/s) over 4 s"
python3 -c "import sys; sys.exit(0 if $g1 - $g0 < 0.2 else 1)" ||
	t_fail "idle guest used $(python3 -c "print($g1 - $g0)") s of CPU in 4 s"
[ $((h1 - h0)) -lt $((hz / 2)) ] || t_fail "dyad-hv used $((h1 - h0)) ticks in 4 s with an idle guest"
t_assert_eq "state of an idle guest" "-b----" "$(t_state idler)"
t_log "ok"
