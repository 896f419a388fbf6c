/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The -p PID / -c COMM filter every vmscope BPF tool takes: read-only
 * globals the loader sets before load, and the check.
 */
#ifndef __VMSCOPE_FILTER_BPF_H
#define __VMSCOPE_FILTER_BPF_H

const volatile pid_t targ_tgid = 0;
const volatile bool filter_comm = false;
const volatile char targ_comm[TASK_COMM_LEN] = {};

static __always_inline bool task_matches(void)
{
	char comm[TASK_COMM_LEN];
	int i;

	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return false;
	if (!filter_comm)
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

#endif /* __VMSCOPE_FILTER_BPF_H */
