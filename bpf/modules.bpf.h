/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modules loaded while a tool runs: name and text range, so a caller in a
 * module that is gone by the time the tool prints (test_vmalloc unloads
 * itself when its run ends) still reads "[test_vmalloc]+0x36c".
 */
#ifndef __VMSCOPE_MODULES_BPF_H
#define __VMSCOPE_MODULES_BPF_H

#include "modules.h"

/* max_entries: 1 unless callers are named (-C); the loader sets it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);		/* text base */
	__type(value, struct module_text);
} module_texts SEC(".maps");

/* Modules whose text could not be recorded (map full): their callers show as addresses. */
__u64 module_texts_lost = 0;

/* Before 6.4 (mod->mem[]), a module's text began its core_layout. */
struct module_layout___pre64 {
	void *base;
	unsigned int size;
	unsigned int text_size;
} __attribute__((preserve_access_index));

struct module___pre64 {
	struct module_layout___pre64 core_layout;
} __attribute__((preserve_access_index));

SEC("tp_btf/module_load")
int BPF_PROG(module_load_btf, struct module *mod)
{
	struct module___pre64 *old = (void *)mod;
	struct module_text t = {};
	__u64 base;

	if (bpf_core_field_exists(mod->mem)) {
		base = (__u64)BPF_CORE_READ(mod, mem[MOD_TEXT].base);
		t.size = BPF_CORE_READ(mod, mem[MOD_TEXT].size);
	} else if (bpf_core_field_exists(old->core_layout)) {
		base = (__u64)BPF_CORE_READ(old, core_layout.base);
		t.size = BPF_CORE_READ(old, core_layout.text_size);
	} else {
		return 0;
	}
	t.loaded_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(t.name, sizeof(t.name), mod->name);
	if (bpf_map_update_elem(&module_texts, &base, &t, BPF_ANY))
		__sync_fetch_and_add(&module_texts_lost, 1);
	return 0;
}

#endif /* __VMSCOPE_MODULES_BPF_H */
