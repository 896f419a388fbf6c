/* SPDX-License-Identifier: GPL-2.0 */
/* A module's text range, as modules.bpf.h records it at load. */
#ifndef __VMSCOPE_MODULES_H
#define __VMSCOPE_MODULES_H

#define MODULE_NAME_LEN_MAX 56	/* MODULE_NAME_LEN on 64-bit */

struct module_text {
	__u64 size;		/* of its text */
	__u64 loaded_ns;	/* bpf_ktime_get_ns() at load */
	char name[MODULE_NAME_LEN_MAX];
};

#endif /* __VMSCOPE_MODULES_H */
