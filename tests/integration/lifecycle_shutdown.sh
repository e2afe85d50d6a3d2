#!/bin/bash
# dyad shutdown / dyad reboot through the PV control protocol: the guest
# sees control/shutdown, clears it and shuts down with the matching reason.
#   shutdown -w ends a running guest (on_poweroff destroy) and says so;
#   a preserved guest is listed as shut down with reason poweroff;
#   reboot -w with on_reboot="restart" brings it back under the same name
#   with a new id;
#   shutdown -w -t 2 of a paused guest (it cannot answer) fails naming the
#   domain and the timeout and leaves it; -F then destroys it and says so;
#   shutdown -a reaches every guest; bad arguments get usage errors.
. "$(dirname "$0")/lib.sh"

out=$DYAD_RUNDIR/out
listed_id() { "$DYAD" domid "$1" 2>/dev/null; }
# The saved console log, bounded (never follows).  No wait for the guest to be
# up before writing control/shutdown: its watch fires once when registered.
log_has() { timeout --foreground -k 2 5 "$DYAD" console --log "$1" 2>/dev/null | grep -q "$2"; }

# Usage errors come before anything is started.
"$DYAD" shutdown >/dev/null 2>"$out" && t_fail "shutdown without a domain succeeded"
t_assert_contains "$out" "dyad: shutdown: missing domain (or -a for all)"
t_assert_contains "$out" "Usage: dyad shutdown DOMAIN|-a [-w] [-F] [-t SECS]"
"$DYAD" reboot -t soon x >/dev/null 2>"$out" && t_fail "reboot -t soon succeeded"
t_assert_contains "$out" "dyad: reboot: -t: 'soon' is not a number of seconds (1..86400)"
"$DYAD" shutdown nosuch >/dev/null 2>"$out" && t_fail "shutdown of an unknown domain succeeded"
t_assert_contains "$out" "dyad: domain 'nosuch' does not exist"

# shutdown -w of a running guest.
"$DYAD" create "$(t_cfg down idle)" >/dev/null 2>&1 || t_fail "down did not start"
id=$(listed_id down)
"$DYAD" shutdown -w -t 30 down >"$out" 2>&1 || t_fail "shutdown -w down failed: $(cat "$out")"
t_assert_contains "$out" "Shutting down domain $id (down)"
t_assert_contains "$out" "Domain $id (down) has been shut down"
t_wait 10 t_not_listed down || t_fail "down is still listed: $("$DYAD" list)"

# A preserved guest shows why it stopped.
"$DYAD" create "$(t_cfg kept idle 'on_poweroff = "preserve"')" >/dev/null 2>&1 || t_fail "kept did not start"
"$DYAD" shutdown -w -t 30 kept >"$out" 2>&1 || t_fail "shutdown -w kept failed: $(cat "$out")"
t_wait 5 log_has kept "shutdown: poweroff" || t_fail "kept did not print 'shutdown: poweroff'"
t_wait 10 sh -c '[ "$("$0" list kept | awk "NR==2 {print \$5}")" = "---s--" ]' "$DYAD" ||
	t_fail "kept not shown as shut down: $("$DYAD" list)"
t_assert_eq "reason column" "poweroff" "$("$DYAD" list kept | awk 'NR==2 {print $7}')"
t_assert_eq "shutdown_reason" "poweroff" \
	"$("$DYAD" list --json kept | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["shutdown_reason"])')"
"$DYAD" destroy kept || t_fail "destroy kept failed"

# reboot with on_reboot="restart": same name, new id.
"$DYAD" create "$(t_cfg again idle 'on_reboot = "restart"')" >/dev/null 2>&1 || t_fail "again did not start"
old=$(listed_id again)
"$DYAD" reboot -w -t 30 again >"$out" 2>&1 || t_fail "reboot -w again failed: $(cat "$out")"
t_assert_contains "$out" "Rebooting domain $old (again)"
new=$(listed_id again) || t_fail "again is gone after reboot: $("$DYAD" list)"
[ "$new" -gt "$old" ] || t_fail "again kept id $old after reboot (now $new)"
t_assert_contains "$out" "Domain $old (again) has been rebooted as domain $new"
t_assert_eq "store name of the new domain" again "$("$DYAD" store read "/local/domain/$new/name")"
vm=$("$DYAD" store read "/local/domain/$new/vm") || t_fail "no vm node for domain $new"
t_assert_eq "$vm/name of the new domain" again "$("$DYAD" store read "$vm/name" 2>&1)"
"$DYAD" destroy again || t_fail "destroy again failed"

# A paused guest cannot answer: timeout with the message, then -F.
"$DYAD" create -p "$(t_cfg frozen idle)" >/dev/null 2>&1 || t_fail "frozen did not start"
start=$(date +%s)
"$DYAD" shutdown -w -t 2 frozen >"$out" 2>&1 && t_fail "shutdown of a paused guest succeeded"
[ $(($(date +%s) - start)) -ge 2 ] || t_fail "shutdown -t 2 returned before 2 s"
t_assert_contains "$out" "dyad: domain 'frozen' did not shut down within 2 s"
t_listed frozen || t_fail "the timeout destroyed frozen without -F"
"$DYAD" shutdown -F -t 2 frozen >"$out" 2>&1 || t_fail "shutdown -F frozen failed: $(cat "$out")"
t_assert_contains "$out" "dyad: domain 'frozen' did not shut down within 2 s; destroying it (-F)"
t_not_listed frozen || t_fail "-F left frozen listed: $("$DYAD" list)"

# -a: every guest.
"$DYAD" create "$(t_cfg one idle)" >/dev/null 2>&1 || t_fail "one did not start"
"$DYAD" create "$(t_cfg two idle)" >/dev/null 2>&1 || t_fail "two did not start"
"$DYAD" shutdown -a -w -t 30 >"$out" 2>&1 || t_fail "shutdown -a -w failed: $(cat "$out")"
t_assert_contains "$out" "Waiting for 2 domains"
t_wait 10 t_not_listed one || t_fail "one is still listed"
t_wait 10 t_not_listed two || t_fail "two is still listed"
t_log "ok"
