#!/bin/bash
# Bad configs, bad overrides and missing or bogus kernels give their exact
# errors through the real CLI, exit 1, and leave no domain behind.
. "$(dirname "$0")/lib.sh"

# t_create_err CFG_BODY EXPECTED [override...]: the last stderr line must be EXPECTED.
t_create_err() {
	local body=$1 want=$2 f="$DYAD_RUNDIR/bad.cfg" got
	shift 2
	printf '%b' "$body" >"$f"
	got=$("$DYAD" create "$f" "$@" 2>&1 >/dev/null) && t_fail "create succeeded with: $body"
	t_assert_eq "error for '$body'" "$want" "$(echo "$got" | tail -n 1)"
}

cfg="$DYAD_RUNDIR/bad.cfg"
t_create_err 'name="x"\nkernel="/nonexistent/k.elf"\n' \
	"dyad: $cfg:2: kernel: \"/nonexistent/k.elf\": No such file or directory"
t_create_err 'name="x"\nkernel="/etc/passwd"\n' \
	"dyad: cannot create domain 'x': /etc/passwd: not an ELF file"
t_create_err "name=\"x\"\nmemory=\"lots\"\nkernel=\"$GUEST\"\n" \
	"dyad: $cfg:2: memory: expected an integer, got \"lots\""
t_create_err "name=\"x\"\nmemory=99999\nkernel=\"$GUEST\"\n" \
	"dyad: $cfg:2: memory: 99999 is out of range (4..8192 MiB)"
t_create_err "name=\"x\"\nkernel=\"$GUEST\"\n" \
	"dyad: <command line>:1: vcpus: 99 is out of range (1..16)" vcpus=99
t_create_err "kernel=\"$GUEST\"\n" "dyad: $cfg: name: required setting missing"
err=$("$DYAD" create "$DYAD_RUNDIR/missing.cfg" 2>&1) && t_fail "missing config accepted"
t_assert_eq "missing config" "dyad: $DYAD_RUNDIR/missing.cfg: cannot read: No such file or directory" \
	"$(echo "$err" | tail -n 1)"
# A duplicate name is refused by the core and leaves the first domain alone.
"$DYAD" create "$(t_cfg dup idle)" >/dev/null 2>&1 || t_fail "dup did not start"
err=$("$DYAD" create "$DYAD_RUNDIR/dup.cfg" 2>&1) && t_fail "a second 'dup' was created"
t_assert_eq "duplicate name" "dyad: cannot create domain 'dup': a domain named 'dup' already exists" \
	"$(echo "$err" | tail -n 1)"
t_assert_eq "domains left" "dup" "$("$DYAD" list | awk 'NR > 1 { print $1 }' | tr '\n' ' ' | sed 's/ $//')"
t_log "ok"
