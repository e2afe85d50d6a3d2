#!/bin/bash
# Clients come and go while their domain ends: each round starts a guest
# named "churn", attaches 6 `dyad console` clients, then destroys the guest
# while killing the clients.  dyad-consoled frees a client only after the
# epoll batch that may still name it (ASan aborts on a use after free), so
# it must survive every round with the same pid.  The rounds reuse the name
# while the previous domain still lingers: both share churn.log, which must
# hold every round's lines once each, in order.
. "$(dirname "$0")/lib.sh"

N=300
ROUNDS=4
consoled_pid() { pgrep -f "dyad-consoled --rundir $DYAD_RUNDIR\$" | head -1; }
log="$DYAD_RUNDIR/console/churn.log"
dones() { [ "$(grep -c "lines: done" "$log" 2>/dev/null)" = "$1" ]; }
pid0=

for r in $(seq $ROUNDS); do
	"$DYAD" create "$(t_cfg churn "lines count=$N")" >/dev/null 2>"$DYAD_RUNDIR/err" ||
		t_fail "round $r: dyad create failed: $(cat "$DYAD_RUNDIR/err")"
	t_wait 20 dones "$r" ||
		t_fail "round $r: expected $r 'lines: done' in $log, saw $(grep -c "lines: done" "$log")"
	[ -n "$pid0" ] || pid0=$(consoled_pid)
	pids=()
	for c in 1 2 3 4 5 6; do
		"$DYAD" console churn </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	sleep 0.5
	"$DYAD" destroy churn &
	kill "${pids[@]}" 2>/dev/null
	wait
	[ "$(consoled_pid)" = "$pid0" ] ||
		t_fail "round $r: dyad-consoled pid $pid0 is gone (now '$(consoled_pid)')"
done
! grep -q "AddressSanitizer" "$DYAD_RUNDIR"/*.log || t_fail "AddressSanitizer report in a daemon log"

# Every round's lines once each, in order, in the one shared log.
grep '^line [0-9]*$' "$log" >"$DYAD_RUNDIR/got"
for r in $(seq $ROUNDS); do seq -f 'line %05g' 1 $N; done >"$DYAD_RUNDIR/want"
cmp -s "$DYAD_RUNDIR/got" "$DYAD_RUNDIR/want" ||
	t_fail "churn.log does not hold 1..$N once per round: $(wc -l <"$DYAD_RUNDIR/got") lines"
"$DYAD" console --log churn | grep -c "lines: done" | grep -qx $ROUNDS ||
	t_fail "dyad console --log churn does not show $ROUNDS rounds"
t_log "ok: $ROUNDS rounds of 6 clients killed during destroy, daemon pid $pid0 throughout"
