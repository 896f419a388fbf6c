#!/usr/bin/env bash
# Compares KCSAN's data-race reports of ci/guest/stress.sh on the patched
# and on the baseline KCSAN kernel (FLAVOR=kcsan). KCSAN reports races all
# over the kernel, most of them known and benign; what the series must not
# do is add one in mm/vmalloc.c. Fails on a report on the patched kernel
# that names a function of mm/vmalloc.o and that the baseline run did not
# report, and on any report other than KCSAN's (WARN, BUG, Oops, lockdep).
# Lists every report title with its count on each kernel.
# Usage: ci/kcsan-check.sh PATCHED-RESULTS-DIR BASELINE-RESULTS-DIR
set -uo pipefail
prog=kcsan-check
. "$(dirname "$0")/testlib.sh"
pres=${1:?patched results directory} bres=${2:?baseline results directory}
for d in "$pres" "$bres"; do
	[ -f "$d/serial.log" ] || fail "no serial.log in $d"
done

# titles LOG: "func1 / func2" of each "BUG: KCSAN: data-race in ..." line.
titles() {
	tr -d '\r' <"$1" | sed -n 's/.*BUG: KCSAN: \(data-race\|assert: race\) in //p' |
		sed 's/+0x[0-9a-f]*\/0x[0-9a-f]*//g' | sort
}
titles "$pres/serial.log" >"$pres/kcsan-titles"
titles "$bres/serial.log" >"$bres/kcsan-titles"
echo "KCSAN reports: patched $(wc -l <"$pres/kcsan-titles"), baseline $(wc -l <"$bres/kcsan-titles")"
join -a1 -a2 -e 0 -o 0,1.2,2.2 -t '|' \
	<(uniq -c "$pres/kcsan-titles" | sed 's/^ *\([0-9]*\) \(.*\)/\2|\1/' | sort -t '|' -k1,1) \
	<(uniq -c "$bres/kcsan-titles" | sed 's/^ *\([0-9]*\) \(.*\)/\2|\1/' | sort -t '|' -k1,1) |
	awk -F '|' '{ printf "  %-70s patched %3s  baseline %3s\n", $1, $2, $3 }'

# Everything but KCSAN's own reports fails, as on the debug flavor.
for d in "$pres" "$bres"; do
	n=$(tr -d '\r' <"$d/serial.log" | grep -aEc 'WARNING:|Oops|BUG: (KASAN|kernel|unable|sleeping)|possible (circular|recursive) locking|detected stalls|list_(add|del) corruption' || true)
	expect_eq "$(basename "$d"): reports other than KCSAN's" "$n" 0
done
grep -aq 'stress: kunit: ok' "$pres/serial.log" || fail "the KUnit suite did not pass on the patched KCSAN kernel"

# A patched-only race naming a function of mm/vmalloc.o fails.
kb=$(kernel_out patched kcsan)
[ -f "$kb/mm/vmalloc.o" ] || fail "no $kb/mm/vmalloc.o"
nm "$kb/mm/vmalloc.o" | awk '$2 ~ /^[tT]$/ { sub(/\..*/, "", $3); print $3 }' | sort -u >"$pres/vmalloc-functions"
new=$(comm -23 <(sort -u "$pres/kcsan-titles") <(sort -u "$bres/kcsan-titles") |
	tr ' /' '\n\n' | grep -v '^$' | sort -u | comm -12 - "$pres/vmalloc-functions")
[ -z "$new" ] || fail "KCSAN: races in mm/vmalloc.c on the patched kernel only, in: $(echo $new)"
echo "ok: no race in mm/vmalloc.c on the patched kernel that the baseline does not have"
