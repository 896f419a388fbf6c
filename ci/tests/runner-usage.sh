#!/usr/bin/env bash
# Bad input to vmrun: a specific message and status 2, nothing booted.
. "$(dirname "$0")/../testlib.sh"

check() { # want-message args...
	local want=$1 out rc; shift
	out=$(ci/vmrun "$@" 2>&1)
	rc=$?
	expect_eq "status of vmrun $*" $rc 2
	grep -q -- "$want" <<<"$out" || fail "vmrun $*: message '$out' lacks '$want'"
}
check "no guest command" -q
check "--cpus wants a positive number" -c x -- true
check "--mem wants MiB" -m 0 -- true
check "--timeout wants seconds" -t -5 -- true
check "unknown option" --bogus -- true
check "no such file" -k /nonexistent/bzImage -- true
check "one vCPU" -D -c 2 -- true
check "--port wants HOSTPORT:GUESTPORT" -p 0:9100 -- true
check "--port wants HOSTPORT:GUESTPORT" -p 9100 -- true
check "--port wants HOSTPORT:GUESTPORT" -p 9100:70000 -- true
check "--share wants auto, 9p or virtiofs" -s nfs -- true
check "--port wants HOSTPORT:GUESTPORT" -p '' -- true
