#!/bin/bash
# dyad-dom0 applies on_* after the CLI has exited: a guest that powers off
# with on_poweroff="restart" comes back under the same name and UUID with a
# new id; the restart-loop guard stops it after a burst (it powers off at
# once, so it would otherwise restart forever); on_poweroff
# "preserve" leaves it listed as shut down.
. "$(dirname "$0")/lib.sh"

uuid=6c1f1a52-1b7e-4c1b-9a53-2a7f3f0b9d01
"$DYAD" create "$(t_cfg again hello 'on_poweroff = "restart"' "uuid = \"$uuid\"")" >/dev/null 2>&1 ||
	t_fail "again did not start"
first=$("$DYAD" domid again 2>/dev/null || echo 1)
restarted() { [ "$(grep -c 'domain [0-9]* (again): poweroff -> restart' "$DYAD_RUNDIR/dyad-dom0.log")" -ge 2 ]; }
t_wait 20 restarted || t_fail "dyad-dom0 did not restart 'again' twice"
t_wait 20 grep -q "(again): restarted more than 5 times within 10 s" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "the restart-loop guard never stopped 'again'"
id=$("$DYAD" list --json | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin) if x["name"] == "again"]
print(d[0]["domid"] if d else "")')
if [ -n "$id" ]; then
	[ "$id" -gt "$first" ] || t_fail "restarted domain kept id $first"
	t_assert_eq "uuid after restart" "$uuid" \
		"$("$DYAD" list --json again | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["uuid"])')"
fi
"$DYAD" create "$(t_cfg kept hello 'on_poweroff = "preserve"')" -c >/dev/null 2>&1 || t_fail "kept failed"
t_wait 10 sh -c '[ "$("$0" list kept | awk "NR==2 {print \$5}")" = "---s--" ]' "$DYAD" ||
	t_fail "kept not shown as shut down: $("$DYAD" list)"
t_assert_eq "shutdown reason" "poweroff" \
	"$("$DYAD" list --json kept | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["shutdown_reason"])')"
t_log "ok"
