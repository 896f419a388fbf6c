/* SPDX-License-Identifier: GPL-2.0 */
/* A module's text range, as modules.bpf.h records it at load. */
#ifndef __VMSCOPE_MODULES_H
#define __VMSCOPE_MODULES_H

#define MODULE_NAME_LEN_MAX 56	/* MODULE_NAME_LEN on 64-bit */

struct module_text {
	__u64 size;
	char name[MODULE_NAME_LEN_MAX];
};

#endif /* __VMSCOPE_MODULES_H */
