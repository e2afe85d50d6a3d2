#!/bin/bash
# The PV control protocol end to end (contract §5, §7): `dyad shutdown`
# writes control/shutdown, the guest runtime's watch writes "" back, prints
# `shutdown: poweroff` and powers off, for a busy guest (spin, never
# blocks) and an idle one (idle, always blocked); `dyad reboot` of a guest
# with on_reboot="restart" brings it back under the same name with a new id;
# a guest whose console backend stopped (ring full) still shuts down.
. "$(dirname "$0")/lib.sh"

# The saved log only (`dyad console` without --log follows and may block).
log_has() { "$DYAD" console --log "$1" 2>/dev/null | grep -aqF -- "$2"; }
has() { t_wait "$3" log_has "$1" "$2" || t_fail "$1 never printed '$2':
$("$DYAD" console --log "$1" 2>&1 | tail -n 20)"; }

for app in spin idle; do
	"$DYAD" create "$(t_cfg "$app" "$app")" >/dev/null 2>&1 || t_fail "$app did not start"
done
has spin "spin: 3" 30
has idle "idle: sleeping" 30
for app in spin idle; do
	"$DYAD" shutdown -w -t 20 "$app" >"$DYAD_RUNDIR/sd-$app" 2>&1 ||
		t_fail "dyad shutdown -w $app failed: $(cat "$DYAD_RUNDIR/sd-$app")"
	t_wait 10 t_not_listed "$app" || t_fail "$app still listed after shutdown: $("$DYAD" list)"
	grep -q "domain [0-9]* ($app): poweroff -> destroy" "$DYAD_RUNDIR/dyad-dom0.log" ||
		t_fail "$app did not power off (dom0 log: $(grep "($app)" "$DYAD_RUNDIR/dyad-dom0.log"))"
	grep -aq "shutdown: poweroff" "$DYAD_RUNDIR/console/$app.log" ||
		t_fail "$app's console log lacks 'shutdown: poweroff': $(tail -n 5 "$DYAD_RUNDIR/console/$app.log" 2>&1)"
done
# Reboot: busy and idle guests come back with a new id under the same name.
for app in spin idle; do
	"$DYAD" create "$(t_cfg "r$app" "$app" 'on_reboot = "restart"')" >/dev/null 2>&1 ||
		t_fail "r$app did not start"
	has "r$app" "$app: " 30
	id=$("$DYAD" domid "r$app")
	"$DYAD" reboot "r$app" >"$DYAD_RUNDIR/rb-$app" 2>&1 || t_fail "dyad reboot r$app: $(cat "$DYAD_RUNDIR/rb-$app")"
	back() { n=$("$DYAD" domid "r$app" 2>/dev/null) && [ "$n" != "$id" ]; }
	t_wait 30 back || t_fail "r$app did not come back with a new id (was $id): $("$DYAD" list)"
	grep -q "domain $id (r$app): reboot -> restart" "$DYAD_RUNDIR/dyad-dom0.log" ||
		t_fail "dom0 did not log r$app's reboot: $(grep "(r$app)" "$DYAD_RUNDIR/dyad-dom0.log")"
	has "r$app" "$app: " 30
done
# An unknown value is cleared and ignored: the guest keeps running.
id=$("$DYAD" domid rspin)
"$DYAD" store write "/local/domain/$id/control/shutdown" bogus || t_fail "write bogus"
cleared() { [ -z "$("$DYAD" store read "/local/domain/$id/control/shutdown")" ]; }
t_wait 10 cleared || t_fail "the guest did not clear control/shutdown=bogus"
sleep 0.5
t_listed rspin || t_fail "rspin went away on an unknown shutdown value"
# A stopped console backend (dyad-consoled SIGSTOPped, the guest's ring full)
# must not hold the shutdown: after a second without progress the runtime
# prints through console_io and powers off.
consoled_pid() { pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR\$" | head -1; }
cpid=$(consoled_pid)
[ -n "$cpid" ] || t_fail "dyad-consoled is not running"
"$DYAD" create "$(t_cfg chatty "lines count=3000")" >/dev/null 2>&1 || t_fail "chatty did not start"
has chatty "line 00001" 30
kill -STOP "$cpid"
sleep 1 # the 2 KiB ring fills at once; the runtime falls back after a second
if ! "$DYAD" shutdown -w -t 20 chatty >"$DYAD_RUNDIR/sd-chatty" 2>&1; then
	kill -CONT "$cpid"
	t_fail "shutdown with a stopped console backend failed: $(cat "$DYAD_RUNDIR/sd-chatty")"
fi
kill -CONT "$cpid"
grep -q "domain [0-9]* (chatty): poweroff -> destroy" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "chatty did not power off (dom0 log: $(grep "(chatty)" "$DYAD_RUNDIR/dyad-dom0.log"))"
t_log "ok"
