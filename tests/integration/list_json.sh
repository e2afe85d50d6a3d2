#!/bin/bash
# `dyad list --json` parses with json-c and matches the table.
. "$(dirname "$0")/lib.sh"

"$DYAD" create "$(t_cfg j-spin spin 'vcpus = 2' 'memory = 48')" >/dev/null 2>&1 || t_fail "j-spin"
"$DYAD" create "$(t_cfg j-idle idle)" >/dev/null 2>&1 || t_fail "j-idle"
"$DYAD" create -p "$(t_cfg j-paused hello)" >/dev/null 2>&1 || t_fail "j-paused"
t_wait 20 t_console_has j-idle "idle: sleeping" || t_fail "j-idle printed nothing"
"$DYAD" list --json >"$DYAD_RUNDIR/list.json" || t_fail "list --json failed"
"$DYAD" list >"$DYAD_RUNDIR/list.txt" || t_fail "list failed"
"$DYAD_BUILD/tests/list_json_check" "$DYAD_RUNDIR/list.json" "$DYAD_RUNDIR/list.txt" 3 ||
	t_fail "JSON and table differ:
$(cat "$DYAD_RUNDIR/list.json" "$DYAD_RUNDIR/list.txt")"
t_assert_eq "paused state" "--p---" "$(t_state j-paused)"
head -1 "$DYAD_RUNDIR/list.txt" | grep -q '^Name  *ID   Mem VCPUs	State	Time(s)$' ||
	t_fail "table header differs from xl's: $(head -1 "$DYAD_RUNDIR/list.txt")"
t_log "ok"
