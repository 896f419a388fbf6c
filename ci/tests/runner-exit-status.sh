#!/usr/bin/env bash
# vmrun returns the guest command's exit status as its own.
. "$(dirname "$0")/../testlib.sh"

ci/vmrun -q -- sh -c 'exit 7'
expect_eq "status of 'exit 7' in the guest" $? 7
ci/vmrun -q -- false
expect_eq "status of 'false' in the guest" $? 1
ci/vmrun -q -- true
expect_eq "status of 'true' in the guest" $? 0
