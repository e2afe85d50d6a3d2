#!/bin/bash
# dyad create writes each domain's standard store nodes (libxl's layout,
# docs/issue45-contract.md §3) with their permissions and introduces the
# domain; dyad destroy removes them.  A create whose store is unreachable
# fails naming the socket and leaves no domain; a taken name is reported as
# such; a domain that powers off on its own loses its nodes too (the store
# cleans up on the core's DESTROYED event).
. "$(dirname "$0")/lib.sh"

uuid=5b0c9a8e-2f61-4d0b-9d4e-7a1c3e5f0a11
"$DYAD" create "$(t_cfg nodes idle "uuid = \"$uuid\"")" >/dev/null 2>"$DYAD_RUNDIR/create.err" ||
	t_fail "create failed: $(cat "$DYAD_RUNDIR/create.err")"
id=$("$DYAD" domid nodes) || t_fail "no domid for nodes"
dom=/local/domain/$id
port=$("$DYAD" store read "$dom/console/port") || t_fail "no $dom/console/port"
[[ "$port" =~ ^[1-9][0-9]*$ ]] || t_fail "console/port is '$port', not a port number"

# The subtree exactly as dyad store ls prints it (xenstore-ls's format).
cat >"$DYAD_RUNDIR/want.ls" <<EOT
name = "nodes"
domid = "$id"
vm = "/vm/$uuid"
memory = ""
 target = "32768"
control = ""
 shutdown = ""
data = ""
device = ""
console = ""
 ring-ref = "7"
 port = "$port"
 type = "xenconsoled"
 limit = "1048576"
 output = "pty"
EOT
"$DYAD" store ls "$dom" >"$DYAD_RUNDIR/got.ls" 2>&1 || t_fail "store ls $dom failed"
diff -u "$DYAD_RUNDIR/want.ls" "$DYAD_RUNDIR/got.ls" >&2 || t_fail "the nodes of $dom differ (above)"
t_assert_eq "/vm/$uuid/name" nodes "$("$DYAD" store read "/vm/$uuid/name")"
t_assert_eq "/vm/$uuid/uuid" "$uuid" "$("$DYAD" store read "/vm/$uuid/uuid")"

# Permissions: dom0 owns what the guest only reads; the guest owns control/, data/, device/.
for n in "" /name /domid /vm /memory/target /console /console/ring-ref /console/port; do
	t_assert_eq "perms of $dom$n" "n0 r$id" "$("$DYAD" store perms "$dom$n")"
done
for n in /control /control/shutdown /data /device; do
	t_assert_eq "perms of $dom$n" "n$id" "$("$DYAD" store perms "$dom$n")"
done
t_assert_eq "perms of /vm/$uuid/name" "n0 r$id" "$("$DYAD" store perms "/vm/$uuid/name")"

# Debian's xenstore-utils see the same tree through the socket.
command -v xenstore-ls >/dev/null || t_fail "xenstore-ls is not installed (run scripts/install-deps)"
XENSTORED_PATH=$DYAD_RUNDIR/store.sock xenstore-ls -p "$dom" >"$DYAD_RUNDIR/xs.ls" 2>&1 ||
	t_fail "xenstore-ls failed: $(cat "$DYAD_RUNDIR/xs.ls")"
t_assert_contains "$DYAD_RUNDIR/xs.ls" "(n$id)"
grep -q '^name = "nodes" .*(n0,r'"$id"')$' "$DYAD_RUNDIR/xs.ls" ||
	t_fail "xenstore-ls -p does not show name with (n0,r$id): $(cat "$DYAD_RUNDIR/xs.ls")"

# A second create under the same name: the name is what is wrong.
"$DYAD" create "$(t_cfg nodes idle)" >/dev/null 2>"$DYAD_RUNDIR/dup.err" &&
	t_fail "a second 'nodes' was created"
t_assert_contains "$DYAD_RUNDIR/dup.err" "dyad: cannot create domain 'nodes': a domain named 'nodes' already exists"

# destroy removes the domain's nodes and its vm path.
"$DYAD" destroy nodes 2>"$DYAD_RUNDIR/destroy.err" || t_fail "destroy failed: $(cat "$DYAD_RUNDIR/destroy.err")"
[ -s "$DYAD_RUNDIR/destroy.err" ] && t_fail "destroy printed: $(cat "$DYAD_RUNDIR/destroy.err")"
"$DYAD" store read "$dom/name" >/dev/null 2>&1 && t_fail "$dom/name is still there after destroy"
"$DYAD" store read "/vm/$uuid" >/dev/null 2>&1 && t_fail "/vm/$uuid is still there after destroy"

# The store unreachable: the create fails naming the socket, and leaves nothing.
XENSTORED_PATH=$DYAD_RUNDIR/nostore.sock "$DYAD" create "$(t_cfg lost idle)" >/dev/null 2>"$DYAD_RUNDIR/lost.err" &&
	t_fail "create succeeded without a store"
t_assert_contains "$DYAD_RUNDIR/lost.err" "dyad: cannot create domain 'lost': the store is not running: cannot connect to $DYAD_RUNDIR/nostore.sock"
t_not_listed lost || t_fail "the failed create left domain 'lost' behind: $("$DYAD" list)"

# A guest that powers off by itself (on_poweroff=destroy): the store drops its nodes.
"$DYAD" create "$(t_cfg brief idle 'cmdline = "app=idle ticks=3 sleep_ms=100"')" \
	>/dev/null 2>&1 || t_fail "brief did not start"
bid=$("$DYAD" list --json brief 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["domid"])' ||
	true)
t_wait 20 t_not_listed brief || t_fail "brief never powered off"
[ -z "$bid" ] || t_wait 10 sh -c '! "$0" store read /local/domain/'"$bid"'/name >/dev/null 2>&1' "$DYAD" ||
	t_fail "/local/domain/$bid stayed in the store after the domain was destroyed by dyad-dom0"
t_log "ok"
