#!/bin/bash
# dyad-store against real clients: Debian's xenstore-utils (xenstore-write,
# -read, -ls, -list, -rm, -chmod, -watch, -exists) through XENSTORED_PATH,
# and `dyad store` through the client library.  Starts dyad-store alone in
# its own short run directory; stops it by pid.
. "$(dirname "$0")/lib_store.sh"
"$DYAD_BUILD/bin/dyad-store" --rundir "$DIR" >>"$DIR/store.log" 2>&1 &
STORE_PID=$!
for _ in $(seq 50); do [ -S "$DIR/store.sock" ] && break; sleep 0.1; done
[ -S "$DIR/store.sock" ] || fail "dyad-store did not start"
expect() { # expect WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

xenstore-write /vm/1/name guest-one /vm/1/memory/target 32768 || fail "xenstore-write"
expect read guest-one "$(xenstore-read /vm/1/name)"
expect exists 0 "$(xenstore-exists /vm/1/memory; echo $?)"
expect list "memory name" "$(xenstore-list /vm/1 | sort | xargs)"
expect ls 'name = "guest-one"' "$(xenstore-ls /vm/1 | grep name)"
xenstore-chmod /vm/1/name n0 r5 || fail "xenstore-chmod"
xenstore-ls -p /vm/1 | grep -q 'name = "guest-one".*(n0,r5)' || fail "perms not shown by xenstore-ls -p"
xenstore-read /vm/1/nope 2>/dev/null && fail "read of a missing node succeeded"
xenstore-rm /vm/1/memory || fail "xenstore-rm"
xenstore-exists /vm/1/memory/target 2>/dev/null && fail "subtree not removed"
# A watch fires on registration and on a change below it.
timeout 5 xenstore-watch -n 2 /vm/1 >"$DIR/watch.out" 2>&1 &
W=$!
for _ in $(seq 30); do [ -s "$DIR/watch.out" ] && break; sleep 0.1; done
xenstore-write /vm/1/state running
wait $W || fail "xenstore-watch did not see two events: $(cat "$DIR/watch.out")"
expect watch "/vm/1 /vm/1/state" "$(xargs <"$DIR/watch.out")"
# The dyad CLI through the client library.
D="$DYAD_BUILD/bin/dyad"
$D store write /cli/a 1 /cli/b 2 || fail "dyad store write"
expect "dyad store read" "1" "$($D store read /cli/a)"
expect "dyad store ls" 'a = "1"|b = "2"|' "$($D store ls /cli | tr '\n' '|')"
$D store perms /cli/a n0 r3 || fail "dyad store perms set"
expect "dyad store perms" "n0 r3" "$($D store perms /cli/a)"
$D store rm /cli || fail "dyad store rm"
$D store read /cli/a 2>/dev/null && fail "dyad store read after rm succeeded"
timeout --foreground -k 2 5 "$D" store watch /cli 2 >"$DIR/cw.out" &
W=$!
for _ in $(seq 30); do [ -s "$DIR/cw.out" ] && break; sleep 0.1; done
xenstore-write /cli/x 1
wait $W || fail "dyad store watch did not see two events"
expect "dyad store watch" "/cli /cli/x" "$(xargs <"$DIR/cw.out")"
# Every message type a C client sends is answered (none is EINVAL'd as unknown).
xenstore-control print hello >/dev/null 2>&1 || true
echo "[$T_NAME] PASS"
