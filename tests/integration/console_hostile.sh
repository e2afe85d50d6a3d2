#!/bin/bash
# A hostile guest writes garbage to every index of its console ring and
# floods its console port.  dyad-consoled disconnects that ring (logged,
# noted in the guest's console log) and carries on: the same process keeps
# serving, the hostile guest's console_io still reaches its log, and a
# bystander's console keeps flowing both ways (typed lines echoed back
# during and after the attack).
. "$(dirname "$0")/lib.sh"

# say LINE: type LINE into the bystander's console, expect it echoed in the log.
say() {
	printf '%s\n' "$1" | timeout --foreground -k 2 3 "$DYAD" console bystander >/dev/null 2>&1
	t_wait 10 grep -q "^echo: $1\$" "$DYAD_RUNDIR/console/bystander.log" ||
		t_fail "bystander did not echo '$1'; its log ends with:
$(tail -5 "$DYAD_RUNDIR/console/bystander.log")"
}

"$DYAD" create "$(t_cfg bystander echo)" >/dev/null 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create bystander failed: $(cat "$DYAD_RUNDIR/err")"
t_wait 30 grep -q "echo: ready" "$DYAD_RUNDIR/console/bystander.log" 2>/dev/null ||
	t_fail "bystander never printed 'echo: ready'"
pid=$(pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR\$" | head -1)
[ -n "$pid" ] || t_fail "dyad-consoled is not running"
say "before the attack"

"$DYAD" create "$(t_cfg hostile con-hostile duration_ms=3000)" >/dev/null 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create hostile failed: $(cat "$DYAD_RUNDIR/err")"
t_wait 20 grep -q "console ring corrupted" "$DYAD_RUNDIR/dyad-consoled.log" ||
	t_fail "dyad-consoled did not report the corrupted ring"
say "during the attack"
t_wait 30 grep -q "con-hostile: done" "$DYAD_RUNDIR/console/hostile.log" 2>/dev/null ||
	t_fail "the hostile guest's console_io 'con-hostile: done' never reached its log"
t_assert_contains "$DYAD_RUNDIR/console/hostile.log" "[dyad-consoled: console ring corrupted"
say "after the attack"

now=$(pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR\$" | head -1)
t_assert_eq "dyad-consoled pid (no crash, no restart)" "$pid" "$now"
"$DYAD" destroy hostile
"$DYAD" destroy bystander
t_log "ok: $(grep -c "corrupted" "$DYAD_RUNDIR/dyad-consoled.log") corruption report(s), daemon pid $pid throughout"
