#!/bin/bash
# dyad-consoled survives its own restarts and the store's: while a guest
# prints 30,000 lines through its ring, dyad-consoled is killed (-9) twice and
# the store once; dyad-dom0 restarts them, and the log still holds every line
# exactly once, in order (ring out_cons is in the shared page; the console_io
# offset and the domain's start are in the state file).  A late attach still
# replays from the domain's first line.
. "$(dirname "$0")/lib.sh"

N=30000
consoled_pid() { pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR\$" | head -1; }
restarted() { local p; p=$(consoled_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }

"$DYAD" create "$(t_cfg lines "lines count=$N")" >/dev/null 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create failed: $(cat "$DYAD_RUNDIR/err")"
log="$DYAD_RUNDIR/console/lines.log"
t_wait 20 grep -q "^line 00100$" "$log" 2>/dev/null || t_fail "no output in $log"
for i in 1 2; do
	pid=$(consoled_pid)
	[ -n "$pid" ] || t_fail "dyad-consoled is not running (round $i)"
	kill -9 "$pid"
	t_wait 10 restarted "$pid" || t_fail "dyad-consoled was not restarted after kill -9"
	sleep 0.3
done
kill -9 "$(cat "$DYAD_RUNDIR/dyad-store.pid")"
t_wait 60 grep -q "lines: done" "$log" || t_fail "no 'lines: done' in $log after the restarts"

grep '^line [0-9]*$' "$log" >"$DYAD_RUNDIR/got"
seq -f 'line %05g' 1 $N >"$DYAD_RUNDIR/want"
cmp -s "$DYAD_RUNDIR/got" "$DYAD_RUNDIR/want" ||
	t_fail "after the restarts the log's lines are not 1..$N once each in order: $(wc -l <"$DYAD_RUNDIR/got") lines, $(sort "$DYAD_RUNDIR/got" | uniq -d | wc -l) duplicated"
resumed=$(grep -c "(resumed)" "$DYAD_RUNDIR/dyad-consoled.log")
[ "$resumed" -ge 2 ] || t_fail "expected 2 resumed logs in dyad-consoled.log, saw $resumed"

timeout --foreground -k 2 5 "$DYAD" console lines </dev/null >"$DYAD_RUNDIR/late" 2>&1
grep -q "^line 00001" "$DYAD_RUNDIR/late" || t_fail "a late attach after the restarts does not start at line 00001"
"$DYAD" destroy lines
t_log "ok: $N lines once each across 2 consoled kills and 1 store kill"
