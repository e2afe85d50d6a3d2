#!/bin/bash
# A crashing guest with on_crash="preserve" stays listed as crashed, with the
# details in the core's log, while another guest keeps running.
. "$(dirname "$0")/lib.sh"

"$DYAD" create "$(t_cfg bystander spin)" >/dev/null 2>&1 || t_fail "bystander did not start"
t_wait 20 t_console_has bystander "spin:" || t_fail "bystander printed nothing"
"$DYAD" create "$(t_cfg crasher crash 'on_crash = "preserve"')" -c >"$DYAD_RUNDIR/out" 2>&1
t_assert_contains "$DYAD_RUNDIR/out" "rip"
t_wait 10 sh -c '[ "$("$0" list crasher | awk "NR==2 {print \$5}")" = "----c-" ]' "$DYAD" ||
	t_fail "crasher not shown as crashed: $("$DYAD" list)"
"$DYAD" dmesg >"$DYAD_RUNDIR/dmesg" 2>&1
t_assert_contains "$DYAD_RUNDIR/dmesg" "crash"
before=$("$DYAD" console --log bystander | grep -c "spin:")
sleep 1
after=$("$DYAD" console --log bystander | grep -c "spin:")
[ "$after" -gt "$before" ] || t_fail "bystander stopped making progress ($before -> $after lines)"
t_assert_eq "bystander state" "r-----" "$(t_state bystander)"
t_log "ok"
