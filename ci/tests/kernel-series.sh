#!/usr/bin/env bash
# ci/kernel.sh's quilt handling on the real source tree, with a throw-away
# series: applies cleanly, is idempotent, unpatches exactly, and refuses
# (leaving the tree unpatched) a series that needs offsets, one that does
# not apply, a tree that already carries the series, and a non-kernel KSRC.
. "$(dirname "$0")/../testlib.sh"

pristine=$BUILD/src/linux
[ -f "$pristine/mm/vmalloc.c" ] || fail "no pristine tree at $pristine (make kernel first)"
tmp=$(mktemp -d "$BUILD/series-test-XXXX")
trap 'rm -rf "$tmp"' EXIT
export KSRC=$pristine BUILD=$tmp/build

# Patches made from the real mm/vmalloc.c.
mkdir -p "$tmp/a/mm" "$tmp/b/mm" "$tmp/good" "$tmp/offset" "$tmp/bad"
cp "$pristine/mm/vmalloc.c" "$tmp/a/mm/"
sed '20a /* vmscope series test */' "$pristine/mm/vmalloc.c" >"$tmp/b/mm/vmalloc.c"
(cd "$tmp" && diff -u a/mm/vmalloc.c b/mm/vmalloc.c) >"$tmp/good/0001-test.patch"
echo 0001-test.patch >"$tmp/good/series"
# The same hunk, 5 lines off: applies only with an offset.
perl -pe 's/^@@ -(\d+),(\d+) \+(\d+),/"@@ -" . ($1 - 5) . ",$2 +" . ($3 - 5) . ","/e' \
	"$tmp/good/0001-test.patch" >"$tmp/offset/0001-test.patch"
cmp -s "$tmp/good/0001-test.patch" "$tmp/offset/0001-test.patch" && fail "could not make an offset patch"
echo 0001-test.patch >"$tmp/offset/series"
sed 's/^ \(.*\)$/ \1 changed/' "$tmp/good/0001-test.patch" >"$tmp/bad/0001-test.patch"
echo 0001-test.patch >"$tmp/bad/series"

patched=$tmp/build/src/patched
PATCHES=$tmp/good ci/kernel.sh patch >/dev/null || fail "a clean series did not apply"
grep -q 'vmscope series test' "$patched/mm/vmalloc.c" || fail "series not applied"
echo "ok: clean series applied"
out=$(PATCHES=$tmp/good ci/kernel.sh patch 2>&1) || fail "re-applying failed: $out"
! grep -q 'applied' <<<"$out" || fail "second 'patch' re-applied the series: $out"
echo "ok: second 'patch' is a no-op"
PATCHES=$tmp/good ci/kernel.sh unpatch || fail "unpatch failed"
cmp -s "$patched/mm/vmalloc.c" "$pristine/mm/vmalloc.c" || fail "unpatch did not restore mm/vmalloc.c"
echo "ok: unpatch restores the tree"

for kind in offset bad; do
	out=$(PATCHES=$tmp/$kind ci/kernel.sh patch 2>&1) && fail "$kind series was accepted: $out"
	echo "$out" | tail -n 2
	cmp -s "$patched/mm/vmalloc.c" "$pristine/mm/vmalloc.c" || fail "$kind series left the tree half-patched"
	echo "ok: $kind series refused, tree unpatched"
done
grep -q 'offsets/fuzz' <<<"$(PATCHES=$tmp/offset ci/kernel.sh patch 2>&1)" || fail "offset patch: no offsets/fuzz message"

# A KSRC that already carries the series.
PATCHES=$tmp/good ci/kernel.sh patch >/dev/null || fail "re-apply failed"
rm -rf "$patched/.pc"
out=$(KSRC=$patched BUILD=$tmp/build2 PATCHES=$tmp/good ci/kernel.sh patch 2>&1) &&
	fail "a tree with the series applied was accepted"
grep -q 'already contains' <<<"$out" || fail "no 'already contains' message: $out"
echo "ok: already-patched KSRC refused: $(tail -n 1 <<<"$out")"

out=$(KSRC=$tmp ci/kernel.sh source 2>&1) && fail "a non-kernel KSRC was accepted"
grep -q 'not a kernel source tree' <<<"$out" || fail "no clear message for a bad KSRC: $out"
echo "ok: bad KSRC refused: $out"
