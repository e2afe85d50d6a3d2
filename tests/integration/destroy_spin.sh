#!/bin/bash
# destroy ends a spinning guest, by name or by id; bad names are refused.
. "$(dirname "$0")/lib.sh"

"$DYAD" create "$(t_cfg spin1 spin)" >/dev/null 2>&1 || t_fail "spin1 did not start"
"$DYAD" create "$(t_cfg spin2 spin)" >/dev/null 2>&1 || t_fail "spin2 did not start"
t_wait 20 t_console_has spin1 "spin:" || t_fail "spin1 printed nothing"
"$DYAD" destroy spin1 || t_fail "destroy by name failed"
t_not_listed spin1 || t_fail "spin1 still listed after destroy"
id=$("$DYAD" domid spin2) || t_fail "domid spin2 failed"
"$DYAD" destroy "$id" || t_fail "destroy by id failed"
t_not_listed spin2 || t_fail "spin2 still listed after destroy"
err=$("$DYAD" destroy nosuch 2>&1) && t_fail "destroy of an unknown domain succeeded"
t_assert_eq "error for unknown domain" "dyad: domain 'nosuch' does not exist" "$err"
t_log "ok"
