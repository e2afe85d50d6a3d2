#!/bin/bash
# pause stops a spinning guest's progress; unpause resumes it.
. "$(dirname "$0")/lib.sh"

lines() { "$DYAD" console --log spinner | grep -c "spin:"; }

"$DYAD" create "$(t_cfg spinner spin)" >/dev/null 2>&1 || t_fail "spinner did not start"
t_wait 20 t_console_has spinner "spin:" || t_fail "spinner printed nothing"
"$DYAD" pause spinner || t_fail "pause failed"
t_assert_eq "state after pause" "--p---" "$(t_state spinner)"
sleep 0.3
a=$(lines)
sleep 1.5
b=$(lines)
t_assert_eq "progress while paused" "$a" "$b"
"$DYAD" unpause spinner || t_fail "unpause failed"
sleep 1.5
c=$(lines)
[ "$c" -gt "$b" ] || t_fail "no progress after unpause ($b -> $c lines)"
t_assert_eq "state after unpause" "r-----" "$(t_state spinner)"
t_log "ok"
