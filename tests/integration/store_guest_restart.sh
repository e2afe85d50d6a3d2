#!/bin/bash
# kill -9 of dyad-store with a guest connected over its ring (contract §4):
# the guest rewrites data/churn every millisecond (churn=1), so a request of
# its is in flight when the store dies.  The supervisor restarts the store;
# no committed node is lost (the guest's writes, the last churn value it
# saw acknowledged, dom0's node); the guest's watch fires again on the
# restored watch; and the guest keeps working: its churn goes on and a poke
# written after the restart is seen and read back through the ring.
. "$(dirname "$0")/lib.sh"

# The saved log only (`dyad console` without --log follows and may block).
log_has() { "$DYAD" console --log "$1" 2>/dev/null | grep -aqF -- "$2"; }
has() { t_wait "$3" log_has "$1" "$2" || t_fail "$1 never printed '$2':
$("$DYAD" console --log "$1" 2>&1 | tail -n 20)"; }
count() { "$DYAD" console --log "$1" 2>/dev/null | grep -ac -- "$2"; }
store_pid() { cat "$DYAD_RUNDIR/dyad-store.pid" 2>/dev/null; }

"$DYAD" create "$(t_cfg g "xs churn=1")" >/dev/null 2>&1 || t_fail "g did not start"
g=$("$DYAD" domid g) || t_fail "no domid for g"
has g "xs: data/hello = world" 30
"$DYAD" store write "/local/domain/$g/data/poke" first || t_fail "first poke"
has g "xs: watch data/poke = first" 20
has g "xs: done" 10
"$DYAD" store write /keep/node kept || t_fail "dom0 write"
has g "xs: churn 400" 30
before=$(count g "xs: watch data/poke = first")
old=$(store_pid)
[ -n "$old" ] || t_fail "no dyad-store.pid"
kill -9 "$old"
acked=$("$DYAD" console --log g 2>/dev/null | grep -a "xs: churn [0-9]*$" | tail -n 1 | awk '{ print $3 }')
new_store() { p=$(store_pid); [ -n "$p" ] && [ "$p" != "$old" ] && kill -0 "$p" 2>/dev/null &&
	"$DYAD" store read /keep/node >/dev/null 2>&1; }
t_wait 20 new_store || t_fail "dyad-store did not come back after kill -9"
t_assert_eq "dom0's node after kill -9" kept "$("$DYAD" store read /keep/node)"
t_assert_eq "g's node after kill -9" world "$("$DYAD" store read "/local/domain/$g/data/hello")"
t_assert_eq "g's name after kill -9" g "$("$DYAD" store read "/local/domain/$g/name")"
now=$("$DYAD" store read "/local/domain/$g/data/churn")
[ "$now" -ge "$acked" ] || t_fail "churn $acked was acknowledged before the kill, the store has $now"
fired_again() { [ "$(count g "xs: watch data/poke = first")" -gt "$before" ]; }
t_wait 20 fired_again || t_fail "g's watch did not fire again after the restart:
$("$DYAD" console --log g 2>&1 | tail -n 10)"
"$DYAD" store write "/local/domain/$g/data/poke" second || t_fail "second poke"
has g "xs: watch data/poke = second" 20
has g "xs: churn $(((acked / 200 + 3) * 200))" 30
! "$DYAD" console --log g 2>/dev/null | grep -a "xs: churn write" ||
	t_fail "a churn write failed across the restart"
t_log "churn acknowledged $acked before the kill, $now right after it"
t_assert_eq "g listed and running" 1 "$("$DYAD" list | awk '$1 == "g"' | wc -l)"
t_log "ok"
