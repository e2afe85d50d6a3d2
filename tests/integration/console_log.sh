#!/bin/bash
# Log completeness: a guest prints 10,000 numbered lines through its console
# ring before anyone attaches.  dyad-consoled's log holds all of them, in
# order; `dyad console --log` prints
# that log (also with dyad-consoled stopped), and a late `dyad console` replays it.
. "$(dirname "$0")/lib.sh"

N=10000
"$DYAD" create "$(t_cfg lines "lines count=$N")" >/dev/null 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create failed: $(cat "$DYAD_RUNDIR/err")"
log="$DYAD_RUNDIR/console/lines.log"
t_wait 60 grep -q "lines: done" "$log" 2>/dev/null || t_fail "no 'lines: done' in $log"

# All N lines, each once, in order: the numbered lines are exactly 1..N.
grep '^line [0-9]*$' "$log" >"$DYAD_RUNDIR/got"
seq -f 'line %05g' 1 $N >"$DYAD_RUNDIR/want"
cmp -s "$DYAD_RUNDIR/got" "$DYAD_RUNDIR/want" ||
	t_fail "the log's numbered lines are not 1..$N in order: $(wc -l <"$DYAD_RUNDIR/got") lines, first difference: $(cmp "$DYAD_RUNDIR/got" "$DYAD_RUNDIR/want" 2>&1 | head -1)"

# Attaching late replays everything still in the log, then follows live.
timeout --foreground -k 2 10 "$DYAD" console lines </dev/null >"$DYAD_RUNDIR/late" 2>&1 &
late=$!
t_wait 10 grep -q "lines: done" "$DYAD_RUNDIR/late" || t_fail "late attach did not replay to 'lines: done'"
kill "$late" 2>/dev/null
wait "$late" 2>/dev/null
[ "$(grep -c '^line [0-9]*$' "$DYAD_RUNDIR/late")" = $N ] ||
	t_fail "late attach showed $(grep -c '^line [0-9]*$' "$DYAD_RUNDIR/late") of $N lines"

"$DYAD" console --log lines >"$DYAD_RUNDIR/printed" || t_fail "dyad console --log failed"
cmp -s "$DYAD_RUNDIR/printed" "$log" || t_fail "dyad console --log differs from $log"

# --log reads the file: it works with dyad-consoled stopped (and not restarted yet).
pkill_pid=$(pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR" | head -1)
[ -n "$pkill_pid" ] || t_fail "dyad-consoled is not running for $DYAD_RUNDIR"
kill -STOP "$pkill_pid"
"$DYAD" console --log lines >"$DYAD_RUNDIR/printed2" || t_fail "--log with dyad-consoled stopped failed"
kill -CONT "$pkill_pid"
grep -q "lines: done" "$DYAD_RUNDIR/printed2" || t_fail "--log with dyad-consoled stopped lacks 'lines: done'"
"$DYAD" destroy lines
t_log "ok: $N lines in order in $(wc -c <"$log") bytes"
