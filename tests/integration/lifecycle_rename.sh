#!/bin/bash
# on_crash="rename-restart": when the domain crashes, dyad-dom0 renames it
# <name>-<old domid> with a fresh UUID (in the core and in the store: its
# `name` node and /vm/<new uuid>, as libxl_domain_preserve), keeps it
# listed as crashed, and starts a new domain under the name and the
# config's UUID, which runs.  Destroying the kept one later leaves the new
# one's /vm/<uuid> alone.
#
# The crash comes from outside, so that the new domain does not crash too:
# a raw DYAD_CTL_SHUTDOWN (Xen's remote shutdown, reason SHUTDOWN_crash = 3)
# on hv.sock, framed as lib/ctl_msg.h says (magic "DYAD", version 1, type 13).
. "$(dirname "$0")/lib.sh"

t_crash_remote() { # DOMID
	python3 - "$DYAD_RUNDIR/hv.sock" "$1" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
payload = struct.pack("<II", int(sys.argv[2]), 3)  # dyad_ctl_shutdown {domid, SHUTDOWN_crash}
s.send(struct.pack("<IHHII", 0x44594144, 1, 13, len(payload), 1) + payload)
rep = s.recv(65536)
magic, ver, typ, length, seq, status = struct.unpack_from("<IHHIIi", rep)
sys.exit(0 if typ == (13 | 0x8000) and seq == 1 and status == 0 else 1)
EOF
}

"$DYAD" create "$(t_cfg web spin 'on_crash = "rename-restart"')" >/dev/null 2>&1 ||
	t_fail "web did not start"
t_runs() { case "$(t_state "$1")" in r-----|-b----) ;; *) return 1 ;; esac; }
t_wait 20 t_runs web || t_fail "web is not running: $("$DYAD" list)"
old=$("$DYAD" domid web) || t_fail "no domid for web"
t_crash_remote "$old" || t_fail "the core refused the remote crash of domain $old"

t_wait 20 grep -q "domain web restarted as domain" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "dyad-dom0 did not restart web"
grep -q "domain $old (web): crash -> rename-restart" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "dyad-dom0 did not log the action"
t_listed "web-$old" || t_fail "the old domain is not listed as web-$old: $("$DYAD" list)"
t_assert_eq "state of web-$old" "----c-" "$(t_state "web-$old")"
t_assert_eq "domid of web-$old" "$old" "$("$DYAD" domid "web-$old")"
new=$("$DYAD" domid web) || t_fail "no new domain named web: $("$DYAD" list)"
[ "$new" -gt "$old" ] || t_fail "the new web has id $new, not above $old"
t_wait 10 t_runs web || t_fail "the new web is not running: $("$DYAD" list)"
t_assert_eq "store name of domain $old" "web-$old" \
	"$("$DYAD" store read "/local/domain/$old/name" 2>&1)"
old_vm=$("$DYAD" store read "/local/domain/$old/vm" 2>&1)
new_vm=$("$DYAD" store read "/local/domain/$new/vm" 2>&1)
case "$old_vm" in /vm/*) ;; *) t_fail "domain $old has no vm path: $old_vm" ;; esac
[ "$old_vm" != "$new_vm" ] || t_fail "web-$old and web share the vm path $old_vm"
t_assert_eq "name under $old_vm" "web-$old" "$("$DYAD" store read "$old_vm/name" 2>&1)"
t_assert_eq "uuid under $old_vm" "${old_vm#/vm/}" "$("$DYAD" store read "$old_vm/uuid" 2>&1)"
t_assert_eq "name under $new_vm" "web" "$("$DYAD" store read "$new_vm/name" 2>&1)"
# The kept domain is left alone from now on (its record says preserve).
grep -c "(web-$old)" "$DYAD_RUNDIR/dyad-dom0.log" | grep -qx 0 ||
	t_fail "dyad-dom0 applied policy to the renamed domain: $(grep "web-$old" "$DYAD_RUNDIR/dyad-dom0.log")"
# A new supervisor (the old one killed outright) adopts the core and
# reconciles: the kept domain's record now says preserve, so it stays.  The
# old supervisor's other children (store, console daemon) are stopped by
# the new one (found by their pid files) before it starts its own.
dom0_pid=$(cat "$DYAD_RUNDIR/dyad-dom0.pid")
hv_pid=$(cat "$DYAD_RUNDIR/dyad-hv.pid")
children=$(pgrep -P "$dom0_pid" | grep -vx "$hv_pid")
[ -n "$children" ] || t_fail "dyad-dom0 $dom0_pid has no children besides the core"
kill -KILL "$dom0_pid"
t_wait 5 sh -c '! kill -0 "$0" 2>/dev/null' "$dom0_pid" || t_fail "dyad-dom0 $dom0_pid survived SIGKILL"
"$DYAD_BUILD/bin/dyad-dom0" --rundir "$DYAD_RUNDIR" || t_fail "a second dyad-dom0 did not start"
for pid in $children; do
	t_wait 10 sh -c '! kill -0 "$0" 2>/dev/null' "$pid" ||
		t_fail "the orphaned service $pid ($(tr '\0' ' ' </proc/$pid/cmdline)) still runs"
done
grep -q "from an earlier supervisor of $DYAD_RUNDIR still runs; stopping it" \
	"$DYAD_RUNDIR/dyad-dom0.log" || t_fail "the new supervisor did not log stopping the orphans"
t_wait 10 grep -q "domain $old (web-$old): crash -> preserve" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "the new supervisor did not reconcile web-$old as preserved"
t_assert_eq "state of web-$old after reconciling" "----c-" "$(t_state "web-$old")"
t_assert_eq "domid of web after reconciling" "$new" "$("$DYAD" domid web)"
# Destroying the kept domain removes its own /vm path only.
"$DYAD" destroy "web-$old" >/dev/null 2>&1 || t_fail "cannot destroy web-$old"
t_wait 10 sh -c '! "$0" store read "$1/name" >/dev/null 2>&1' "$DYAD" "$old_vm" ||
	t_fail "$old_vm is still there after destroying web-$old"
t_assert_eq "name under $new_vm after destroying web-$old" "web" \
	"$("$DYAD" store read "$new_vm/name" 2>&1)"
t_assert_eq "vm path of domain $new" "$new_vm" "$("$DYAD" store read "/local/domain/$new/vm" 2>&1)"
t_log "ok (web-$old kept crashed with $old_vm, web runs as $new with $new_vm)"
