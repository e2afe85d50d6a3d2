#!/bin/bash
# Interactive console through a pseudo-terminal: `dyad console` shows the
# echo guest's output (replayed from before the attach), a typed line reaches
# the guest through its console ring and comes back as "echo: <line>",
# Ctrl-] detaches with exit 0, and the guest keeps running: a second attach
# still talks to it.
. "$(dirname "$0")/lib.sh"

"$DYAD" create "$(t_cfg echo echo)" >/dev/null 2>"$DYAD_RUNDIR/err" ||
	t_fail "dyad create failed: $(cat "$DYAD_RUNDIR/err")"
t_wait 30 grep -q "echo: ready" "$DYAD_RUNDIR/console/echo.log" 2>/dev/null ||
	t_fail "the echo guest never printed 'echo: ready'"

# session LINE: attach in a pty, expect the replay, type LINE + Enter, expect
# it echoed, press Ctrl-]; prints what the terminal showed.
session() {
	python3 - "$DYAD" "$1" <<'PY'
import os, pty, select, sys, time
dyad, line = sys.argv[1], sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(dyad, [dyad, "console", "echo"])
seen = b""
def expect(what, secs=20):
    global seen
    end = time.time() + secs
    while what not in seen:
        left = end - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            sys.exit("timed out waiting for %r; the terminal showed %r" % (what, seen[-400:]))
        try:
            seen += os.read(fd, 4096)
        except OSError:
            sys.exit("console exited early; the terminal showed %r" % seen[-400:])
expect(b"echo: ready")
os.write(fd, line + b"\r")            # Enter, as a terminal sends it
expect(b"echo: " + line)
os.write(fd, b"\x1d")                 # Ctrl-]
end = time.time() + 10
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        code = os.waitstatus_to_exitcode(st)
        if code != 0:
            sys.exit("dyad console exited %d after Ctrl-]" % code)
        print("detached; terminal showed %d bytes" % len(seen))
        sys.exit(0)
    time.sleep(0.05)
os.kill(pid, 9)
sys.exit("dyad console did not exit after Ctrl-]")
PY
}

out=$(session "hello dyad 1") || t_fail "first session: $out"
t_log "$out"
state=$(t_state echo)
case "$state" in *r* | *b*) ;; *) t_fail "after detaching, domain echo is in state '$state', not running" ;; esac
out=$(session "second attach") || t_fail "second session: $out"
grep -q "^echo: hello dyad 1" "$DYAD_RUNDIR/console/echo.log" ||
	t_fail "the log lacks the first session's echo"
"$DYAD" destroy echo
t_log "ok"
