# Shared set-up for the store tests: a short run directory, dyad-store alone
# in it, stopped by pid on exit.  xenstore-utils come from scripts/install-deps;
# a missing tool fails the test (nothing silently skips).
set -u
: "${DYAD_BUILD:?DYAD_BUILD must name the build directory}"
T_NAME=$(basename "$0" .sh)
DIR=$(mktemp -d /tmp/dyst.XXXXXX)
export DYAD_RUNDIR=$DIR XENSTORED_PATH=$DIR/store.sock
STORE_PID=
fail() {
	echo "[$T_NAME] FAIL: $*" >&2
	tail -n 20 "$DIR/store.log" >&2 2>/dev/null
	exit 1
}
cleanup() {
	[ -n "$STORE_PID" ] && kill "$STORE_PID" 2>/dev/null && wait "$STORE_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
for t in xenstore-write xenstore-read xenstore-ls xenstore-rm xenstore-chmod xenstore-watch; do
	command -v "$t" >/dev/null || fail "$t is not installed (run scripts/install-deps)"
done
