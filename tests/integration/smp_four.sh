#!/bin/bash
# Four guests of two vCPUs each boot concurrently; each reports both vCPUs.
. "$(dirname "$0")/lib.sh"

pids=()
for i in 1 2 3 4; do
	cfg=$(t_cfg "smp$i" smp "vcpus = 2")
	"$DYAD" create "$cfg" -c >"$DYAD_RUNDIR/out$i" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || t_fail "guest smp$i: create -c failed: $(cat "$DYAD_RUNDIR/out$i")"
done
for i in 1 2 3 4; do
	t_assert_contains "$DYAD_RUNDIR/out$i" "vcpu 1 running"
	t_assert_contains "$DYAD_RUNDIR/out$i" "smp: all 2 vcpus running"
done
t_log "ok"
