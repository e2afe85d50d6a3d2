#!/bin/bash
# on_crash="coredump-destroy": a guest that faults (app=crash) leaves an ELF
# core in RUNDIR/dump/<name>-<domid>.core and is destroyed.  gdb opens the
# core next to the guest image: the vCPU's rip lies inside the image, and
# memory reads return the guest's RAM - the image's own bytes at its entry
# point, and what only the builder wrote: Dyad's boot extension (magic,
# vCPUs, RAM size) and the command line.  With on_crash="coredump-restart"
# every crash of a crash-looping guest leaves a core before its restart,
# until the restart-loop guard leaves the last one crashed.
. "$(dirname "$0")/lib.sh"

command -v gdb >/dev/null || t_fail "gdb is not installed (scripts/install-deps lists it)"
"$DYAD" create "$(t_cfg crasher crash 'on_crash = "coredump-destroy"')" >/dev/null 2>&1 ||
	t_fail "crasher did not start"
t_wait 30 grep -q "(crasher): core dumped to" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "dyad-dom0 wrote no core for crasher"
core=$(sed -n 's/.*(crasher): core dumped to \(.*\)$/\1/p' "$DYAD_RUNDIR/dyad-dom0.log" | head -n 1)
case "$core" in "$DYAD_RUNDIR"/dump/crasher-[0-9]*.core) ;; *) t_fail "core at unexpected path '$core'" ;; esac
[ -f "$core" ] || t_fail "$core does not exist"
t_wait 10 t_not_listed crasher || t_fail "crasher still listed after coredump-destroy: $("$DYAD" list)"
grep -q "(crasher): crash -> coredump-destroy" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "dyad-dom0 did not log the action"

gdb_run() { gdb -nx -batch "$@" "$GUEST" "$core" 2>&1; }

# rip: the core's NT_PRSTATUS, checked against the image's PT_LOAD ranges.
rip=$(gdb_run -ex 'info registers rip' | awk '$1 == "rip" { print $2 }')
[ -n "$rip" ] || t_fail "gdb showed no rip: $(gdb_run -ex 'info registers rip')"
python3 - "$GUEST" "$rip" <<'EOF' || t_fail "rip $rip is outside the guest image"
import struct, sys
data = open(sys.argv[1], "rb").read()
rip = int(sys.argv[2], 16)
phoff, = struct.unpack_from("<Q", data, 32)
phentsize, phnum = struct.unpack_from("<HH", data, 54)
for i in range(phnum):
    p_type, _, _, vaddr, _, _, memsz, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
    if p_type == 1 and vaddr <= rip < vaddr + memsz:
        sys.exit(0)
sys.exit(1)
EOF
t_log "rip $rip is inside the image ($(gdb_run -ex 'info symbol '"$rip" | tail -n 1))"

# The image's bytes at its entry point, from the ELF file and from the core.
entry=$(python3 -c 'import struct,sys; print(hex(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 24)[0]))' "$GUEST")
want=$(python3 - "$GUEST" "$entry" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
addr = int(sys.argv[2], 16)
phoff, = struct.unpack_from("<Q", data, 32)
phentsize, phnum = struct.unpack_from("<HH", data, 54)
for i in range(phnum):
    p_type, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
    if p_type == 1 and vaddr <= addr and addr + 32 <= vaddr + filesz:
        words = struct.unpack_from("<4Q", data, off + addr - vaddr)
        print(" ".join("0x%016x" % w for w in words))
EOF
)
[ -n "$want" ] || t_fail "entry $entry is not in a loaded segment of $GUEST"
# Without the image, so that every byte must come from the core's PT_LOAD.
got=$(gdb -nx -batch -ex "x/4gx $entry" -c "$core" 2>&1 | awk -F':' '/^0x/ { print $2 }' | xargs)
t_assert_eq "x/4gx $entry from the core" "$want" "$got"
got=$(gdb -nx -batch -ex 'x/2gx 0x1080' -c "$core" 2>&1 | awk -F':' '/^0x/ { print $2 }' | xargs)
t_assert_eq "boot extension (magic DyEx, 1 vCPU, 32 MiB)" "0x0000000178457944 0x0000000002000000" "$got"
gdb -nx -batch -ex 'x/s 0x1800' -c "$core" >"$DYAD_RUNDIR/cmdline" 2>&1
t_assert_contains "$DYAD_RUNDIR/cmdline" 'app=crash'

"$DYAD" create "$(t_cfg loop crash 'on_crash = "coredump-restart"')" >/dev/null 2>&1 ||
	t_fail "loop did not start"
t_wait 60 grep -q "(loop): restarted more than 5 times within 10 s" "$DYAD_RUNDIR/dyad-dom0.log" ||
	t_fail "the restart-loop guard never stopped loop"
n=$(ls "$DYAD_RUNDIR"/dump/loop-*.core 2>/dev/null | wc -l)
t_assert_eq "cores of loop (5 restarts, then the refused 6th crash)" 6 "$n"
t_assert_eq "restarts of loop" 5 "$(grep -c "domain loop restarted as domain" "$DYAD_RUNDIR/dyad-dom0.log")"
t_assert_eq "state of the last loop" "----c-" "$(t_state loop)"
last=$("$DYAD" domid loop)
[ -f "$DYAD_RUNDIR/dump/loop-$last.core" ] || t_fail "no core of the last loop (domain $last)"
t_log "ok"
