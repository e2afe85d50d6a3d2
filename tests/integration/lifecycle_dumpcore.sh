#!/bin/bash
# dyad dump-core DOM FILE (xl dump-core): a running guest is paused for the
# dump and runs again after it; a paused one stays paused.  Only online
# vCPUs get a thread.  gdb opens the
# file with the guest image and shows a rip inside the image and the
# builder's boot extension in memory.  A missing domain is a clear error.
. "$(dirname "$0")/lib.sh"

command -v gdb >/dev/null || t_fail "gdb is not installed (scripts/install-deps lists it)"
t_runs() { case "$(t_state "$1")" in r-----|-b----) ;; *) return 1 ;; esac; }

"$DYAD" create "$(t_cfg spinner spin 'vcpus = 2')" >/dev/null 2>&1 || t_fail "spinner did not start"
t_wait 20 t_runs spinner || t_fail "spinner is not running: $("$DYAD" list)"
core="$DYAD_RUNDIR/spinner.core"
"$DYAD" dump-core spinner "$core" >"$DYAD_RUNDIR/out" 2>&1 || t_fail "dump-core failed: $(cat "$DYAD_RUNDIR/out")"
[ -s "$core" ] || t_fail "no core at $core"
[ ! -e "$core.tmp" ] || t_fail "$core.tmp left behind"
t_wait 5 t_runs spinner || t_fail "spinner was not unpaused after the dump: $(t_state spinner)"

readelf -h "$core" >"$DYAD_RUNDIR/ehdr" 2>&1
t_assert_contains "$DYAD_RUNDIR/ehdr" "CORE (Core file)"
t_assert_contains "$DYAD_RUNDIR/ehdr" "Advanced Micro Devices X86-64"
gdb -nx -batch -ex 'info threads' "$GUEST" "$core" >"$DYAD_RUNDIR/threads" 2>&1
# app=spin never brings vCPU 1 up: only the online vCPU 0 has a thread.
t_assert_contains "$DYAD_RUNDIR/threads" "LWP 1"
grep -q "LWP 2" "$DYAD_RUNDIR/threads" && t_fail "the never-started vCPU 1 has a thread in the core"
sym=$(gdb -nx -batch -ex 'info symbol $pc' "$GUEST" "$core" 2>&1 | tail -n 1)
case "$sym" in *"No symbol matches"* | "") t_fail "rip of vCPU 0 is not in the image: $sym" ;; esac
got=$(gdb -nx -batch -ex 'x/2gx 0x1080' -c "$core" 2>&1 | awk -F':' '/^0x/ { print $2 }' | xargs)
t_assert_eq "boot extension (magic DyEx, 2 vCPUs, 32 MiB)" "0x0000000278457944 0x0000000002000000" "$got"

"$DYAD" pause spinner || t_fail "pause failed"
"$DYAD" dump-core spinner "$core.2" || t_fail "dump-core of the paused spinner failed"
t_assert_eq "state after dumping a paused domain" "--p---" "$(t_state spinner)"
cmp -s "$core" "$core.2" && t_fail "two dumps of a running guest are identical"

if "$DYAD" dump-core nosuch "$core.3" >"$DYAD_RUNDIR/err" 2>&1; then
	t_fail "dump-core of a missing domain succeeded"
fi
t_assert_contains "$DYAD_RUNDIR/err" "domain 'nosuch' does not exist"
t_log "ok (vCPU 0 at $sym)"
