#!/usr/bin/env bash
# Every patch of the series passes the kernel's checkpatch.pl --strict with
# no error, warning or check, and has a Signed-off-by.
. "$(dirname "$0")/../testlib.sh"

src=$BUILD/src/linux
[ -x "$src/scripts/checkpatch.pl" ] || fail "no $src/scripts/checkpatch.pl (make kernel first)"
n=0
for p in $(series_patches); do
	out=$(cd "$src" && perl scripts/checkpatch.pl --strict --no-tree "$VMSCOPE_TOP/patches/$p" 2>&1)
	rc=$?
	# Its status and its summary line: a crash may print nothing.
	[ $rc = 0 ] || fail "checkpatch --strict on $p: exit $rc: $out"
	grep -qE '^total: 0 errors, 0 warnings, 0 checks, [1-9][0-9]* lines checked$' <<<"$out" ||
		fail "checkpatch --strict on $p: no clean summary: $out"
	grep -q '^Signed-off-by: ' "patches/$p" || fail "$p has no Signed-off-by"
	echo "ok: $p"
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "patches/series lists no patch"
echo "$n patches clean"
