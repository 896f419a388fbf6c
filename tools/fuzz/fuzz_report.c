// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vmtrace report: any bytes as a trace-cmd file,
 * through libtracecmd, the event binding and the aggregation. The report
 * goes to /dev/null; what matters is no crash, leak or overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "vmtrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/vmtrace-fuzz-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		env.json = true;
		vt_report_file(path);
	}
	close(fd);
	unlink(path);
	return 0;
}
