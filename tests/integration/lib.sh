# Shared helpers for integration tests that boot real guests under KVM.
#
# Each test gets its own short run directory (sockets must fit sun_path),
# its own dyad-dom0 and dyad-hv started by the first CLI call, and a trap
# that stops them by pid and removes the directory.  Guests come from
# build/guest/dyad-guest.elf.  Assertions print what was expected and what
# was seen, then exit 1.
set -u

: "${DYAD_BUILD:?DYAD_BUILD must name the build directory}"
DYAD="$DYAD_BUILD/bin/dyad"
GUEST="$DYAD_BUILD/guest/dyad-guest.elf"
DYAD_RUNDIR=$(mktemp -d /tmp/dyit.XXXXXX)
export DYAD_RUNDIR
T_NAME=$(basename "$0" .sh)

t_log() { echo "[$T_NAME] $*"; }

t_fail() {
	echo "[$T_NAME] FAIL: $*" >&2
	for f in "$DYAD_RUNDIR"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f (last 30 lines)" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

t_stop_pidfile() {
	local pidf=$1 pid i
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

t_teardown() {
	t_stop_pidfile "$DYAD_RUNDIR/dyad-dom0.pid"
	t_stop_pidfile "$DYAD_RUNDIR/dyad-hv.pid"
	rm -rf "$DYAD_RUNDIR"
}
trap t_teardown EXIT

[ -x "$DYAD" ] || t_fail "$DYAD is not built"
[ -f "$GUEST" ] || t_fail "$GUEST is not built"

# t_cfg NAME APP [extra xl.cfg lines...]: write a config, print its path.
t_cfg() {
	local name=$1 app=$2 f="$DYAD_RUNDIR/$1.cfg"
	shift 2
	{
		echo "name = \"$name\""
		echo "kernel = \"$GUEST\""
		echo "memory = 32"
		echo "cmdline = \"app=$app\""
		for line in "$@"; do echo "$line"; done
	} >"$f"
	echo "$f"
}

# t_wait TIMEOUT_S CMD...: poll until CMD succeeds.
t_wait() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

t_listed() { "$DYAD" list 2>/dev/null | awk 'NR > 1 { print $1 }' | grep -qx "$1"; }
t_not_listed() { ! t_listed "$1"; }
t_state() { "$DYAD" list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
t_console_has() { "$DYAD" console --log "$1" 2>/dev/null | grep -q "$2"; }

t_assert_contains() { # FILE STRING
	grep -qF -- "$2" "$1" || t_fail "expected '$2' in $1; it holds:
$(head -c 3000 "$1")"
}

t_assert_eq() { # WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || t_fail "$1: expected '$2', got '$3'"
}
