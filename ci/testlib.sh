# shellcheck shell=bash
# Helpers for ci/tests/*.sh: each test is a script that exits 0 (pass),
# 77 (skip) or anything else (fail), and says why on failure.
prog=${prog:-$(basename "$0" .sh)}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VMSCOPE_TOP" || exit 2

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# A fresh results directory for one guest run.
new_results() {
	mkdir -p "$BUILD/results"
	mktemp -d "$BUILD/results/$prog-XXXX"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}

# A JSON field of a one-line object (the tools print flat objects).
json_field() { # file field
	jq -r ".$2" "$1" 2>/dev/null || fail "cannot read .$2 from $1: $(head -c 300 "$1")"
}
