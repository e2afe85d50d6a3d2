#!/bin/bash
# Guests use the store over their ring (issue 4): a guest reads its own
# domid and name nodes, writes data/hello (dom0 reads it back), gets EACCES
# on another guest's name, sees a watch event when dom0 writes its
# data/poke, and hits the node quota (ENOSPC) while a bystander guest keeps
# working: it still sees its watch and answers after the quota hit.  A guest
# that breaks its own ring gets EIO, reconnects and keeps its watch.
. "$(dirname "$0")/lib.sh"

# The saved log only (`dyad console` without --log follows and may block).
log_has() { "$DYAD" console --log "$1" 2>/dev/null | grep -aqF -- "$2"; }
has() { t_wait "$3" log_has "$1" "$2" || t_fail "$1 never printed '$2':
$("$DYAD" console --log "$1" 2>&1 | tail -n 20)"; }

"$DYAD" create "$(t_cfg by xs)" >/dev/null 2>&1 || t_fail "bystander did not start"
by=$("$DYAD" domid by) || t_fail "no domid for by"
has by "xs: data/hello = world" 30
"$DYAD" create "$(t_cfg qg "xs peer=$by quota=1")" >/dev/null 2>&1 || t_fail "qg did not start"
qg=$("$DYAD" domid qg) || t_fail "no domid for qg"
has qg "xs: domid $qg" 30
has qg "xs: name qg" 5
has qg "xs: data/hello = world" 5
has qg "xs: peer read -> -13" 10
t_assert_eq "qg's data/hello seen by dom0" world "$("$DYAD" store read "/local/domain/$qg/data/hello")"
"$DYAD" store write "/local/domain/$qg/data/poke" "hi-$qg" || t_fail "dom0 could not write qg's data/poke"
has qg "xs: watch data/poke = hi-$qg" 20
has qg "xs: quota hit after" 60
line=$("$DYAD" console --log qg 2>/dev/null | grep -a "xs: quota hit after" | tail -n 1)
case "$line" in
*"(-28)"*) ;;
*) t_fail "quota hit without ENOSPC: '$line'" ;;
esac
k=$(echo "$line" | sed -n 's/.*after \([0-9]*\) nodes.*/\1/p')
[ -n "$k" ] && [ "$k" -ge 900 ] && [ "$k" -le 1000 ] ||
	t_fail "the 1000-node quota stopped qg after '$k' writes"
has qg "xs: done" 10
# The bystander is unaffected: its watch fires and its reads work.
"$DYAD" store write "/local/domain/$by/data/poke" after-quota || t_fail "dom0 write to by"
has by "xs: watch data/poke = after-quota" 20
t_assert_eq "bystander's node" world "$("$DYAD" store read "/local/domain/$by/data/hello")"
# A guest that breaks its own ring (req_prod two rings ahead): the store sets
# intf->error; the runtime fails the read with EIO instead of waiting forever,
# reconnects, and its data/poke watch works again.
"$DYAD" create "$(t_cfg br "xs breakring=1")" >/dev/null 2>&1 || t_fail "br did not start"
br=$("$DYAD" domid br) || t_fail "no domid for br"
has br "xs: data/hello = world" 30
"$DYAD" store write "/local/domain/$br/data/poke" first || t_fail "dom0 write to br"
has br "xs: read on a broken ring -> -5" 20
has br "xs: after reconnect data/hello = world" 20
"$DYAD" store write "/local/domain/$br/data/poke" after-break || t_fail "dom0 write to br after the break"
has br "xs: watch data/poke = after-break" 20
t_log "ok (qg wrote $k nodes before ENOSPC)"
