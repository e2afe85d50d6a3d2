#!/bin/bash
# After every domain is destroyed, the core's fds, threads and VMs are back
# to their starting count, and the dom0 services (dyad-store, dyad-consoled)
# hold no descriptor or mapping of the guests' memory any more.
. "$(dirname "$0")/lib.sh"

"$DYAD" list >/dev/null || t_fail "services did not start"
# The baseline includes dyad-dom0's event connection to the core.
t_wait 10 grep -q "subscribed to its events" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "dyad-dom0 never subscribed to the core's events"
# One warm-up cycle first, so lazily created runtime state (e.g. the
# sanitizers' background threads) is in the baseline and not counted as a leak.
"$DYAD" create "$(t_cfg warm hello)" -c >/dev/null 2>&1 || t_fail "warm-up guest failed"
t_wait 10 t_not_listed warm || t_fail "warm-up guest not destroyed"
pid=$(cat "$DYAD_RUNDIR/dyad-hv.pid")
count() { ls "/proc/$pid/$1" | wc -l; }
vms() { ls -l "/proc/$pid/fd" | grep -c 'kvm-vm' || true; }
fd0=$(count fd)
th0=$(count task)
for i in 1 2 3; do
	"$DYAD" create "$(t_cfg "l$i" spin "vcpus = 2")" >/dev/null 2>&1 || t_fail "l$i did not start"
done
"$DYAD" create "$(t_cfg lc crash 'on_crash = "preserve"')" >/dev/null 2>&1
t_wait 20 t_console_has l3 "spin:" || t_fail "l3 printed nothing"
[ "$(vms)" -ge 4 ] || t_fail "expected 3 VM fds and the spare while running, saw $(vms)"
for d in l1 l2 l3 lc; do "$DYAD" destroy "$d" || t_fail "destroy $d failed"; done
t_wait 5 sh -c "[ \$(ls /proc/$pid/task | wc -l) -eq $th0 ]" || true
t_assert_eq "threads after destroy" "$th0" "$(count task)"
t_assert_eq "fds after destroy" "$fd0" "$(count fd)"
# dyad-hv keeps one spare VM ready for the next create (hypervisor/vm_spare.h).
t_wait 5 sh -c "[ \$(ls -l /proc/$pid/fd | grep -c kvm-vm) -eq 1 ]" || true
t_assert_eq "VM fds after destroy (the spare)" "1" "$(vms)"
# The services map each guest's RAM (memfd) while it lives; none may stay.
for svc in dyad-store dyad-consoled; do
	spid=$(pgrep -f "$svc --rundir $DYAD_RUNDIR" | head -n1)
	[ -n "$spid" ] || t_fail "$svc is not running"
	t_wait 5 sh -c "! grep -q memfd /proc/$spid/maps" ||
		t_fail "$svc still maps guest memory after every domain was destroyed: $(grep -c memfd /proc/$spid/maps) mappings"
	n=$(ls -l /proc/$spid/fd | grep -c memfd || true)
	t_assert_eq "$svc memfd descriptors after destroy" "0" "$n"
done
t_log "ok"
