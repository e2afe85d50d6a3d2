#!/bin/bash
# One guest boots, prints, powers off, and is gone from `dyad list`.
. "$(dirname "$0")/lib.sh"

cfg=$(t_cfg hello hello)
"$DYAD" create "$cfg" -c >"$DYAD_RUNDIR/out" 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create -c failed: $(cat "$DYAD_RUNDIR/err")"
t_assert_contains "$DYAD_RUNDIR/out" "Hello from Dyad guest"
t_assert_contains "$DYAD_RUNDIR/out" "app=hello"
t_wait 10 t_not_listed hello || t_fail "domain 'hello' still listed after poweroff:
$("$DYAD" list)"
t_log "ok"
