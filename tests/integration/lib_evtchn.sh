# Helpers for the event-channel, grant-table and hostile tests (issue 3),
# sourced after lib.sh.  PEER is the dom0 test program (libdom0 only).
PEER="$DYAD_BUILD/tests/evtchn_peer"
[ -x "$PEER" ] || t_fail "$PEER is not built"

# t_console NAME: everything the guest printed so far (t_start attaches
# the console to a file, which outlives the domain's poweroff).
t_console() { cat "$DYAD_RUNDIR/$1.out" 2>/dev/null; }

# t_grab TIMEOUT_S NAME SED_SCRIPT: wait for a console line the sed script
# prints (sed -n 's/.../\1/p'), echo the first one; fail after TIMEOUT_S.
t_grab() {
	local deadline=$(($(date +%s) + $1)) v
	while :; do
		v=$(t_console "$2" | sed -n "$3" | head -n1)
		[ -n "$v" ] && { echo "$v"; return 0; }
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# Every guest's console so far, for failure messages.
t_all_consoles() {
	local f
	for f in "$DYAD_RUNDIR"/*.out; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f")"
		tail -n 25 "$f"
	done
}

# t_wait_line TIMEOUT_S NAME FIXED_STRING
t_wait_line() {
	t_wait "$1" t_console_fgrep "$2" "$3" ||
		t_fail "guest $2 never printed '$3'; consoles:
$(t_all_consoles)"
}
t_console_fgrep() { t_console "$1" | grep -qF -- "$2"; }

# t_wait_re TIMEOUT_S NAME REGEX (grep -E)
t_wait_re() {
	t_wait "$1" t_console_egrep "$2" "$3" ||
		t_fail "guest $2 never printed /$3/; consoles:
$(t_all_consoles)"
}
t_console_egrep() { t_console "$1" | grep -qE -- "$2"; }

# t_domid NAME: from `dyad create -c`'s "Started domain NAME (id=N)" line,
# which stays readable after a short-lived guest is gone.
t_domid() {
	local id
	id=$(sed -n "s/^Started domain $1 (id=\([0-9]*\)).*/\1/p" "$DYAD_RUNDIR/$1.out" | head -n1)
	[ -n "$id" ] || t_fail "no domid for $1: $(head -n 5 "$DYAD_RUNDIR/$1.out")"
	echo "$id"
}

# t_start NAME APP-AND-ARGS [cfg lines]: create a guest with its console
# copied to $DYAD_RUNDIR/NAME.out by a background `dyad create -c`; returns
# once the domain is listed.
T_ATTACHED=()
t_start() {
	local name=$1 app=$2 cfg
	shift 2
	cfg=$(t_cfg "$name" "$app" "$@")
	"$DYAD" create "$cfg" -c >"$DYAD_RUNDIR/$name.out" 2>&1 </dev/null &
	T_ATTACHED+=($!)
	t_wait 20 grep -qs "^Started domain $name " "$DYAD_RUNDIR/$name.out" ||
		t_fail "$name never started: $(cat "$DYAD_RUNDIR/$name.out")"
}

# t_wait_gone NAME TIMEOUT_S: the guest powered off and its console closed.
t_wait_gone() { t_wait "$2" t_not_listed "$1" || t_fail "$1 still running"; }
