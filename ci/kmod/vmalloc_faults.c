// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope's fault-injection workload: a kthread that marks itself for
 * fault injection (make_it_fail: failslab's and fail_page_alloc's
 * task-filter pick it, and nothing else) and makes @rounds vmallocs of
 * each of 1, 3, 17 and 1024 pages (the last one's page array is itself
 * vmalloc'ed), freeing each at once and counting the NULL returns. It
 * prints one line,
 *
 *   vmalloc_faults: comm=vmalloc_faults allocs=N failed=M
 *
 * and, like test_vmalloc, refuses to stay loaded (-EAGAIN).
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

static unsigned int rounds = 200;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "vmallocs of each size");

static const unsigned int nr_pages[] = { 1, 3, 17, 1024 };
static unsigned long allocs, failed;
static DECLARE_COMPLETION(done);

static int vmalloc_faults_fn(void *unused)
{
	unsigned int r, i;
	void *p;

#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = 1;
#endif
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < ARRAY_SIZE(nr_pages); i++) {
			p = __vmalloc((unsigned long)nr_pages[i] << PAGE_SHIFT,
				      GFP_KERNEL | __GFP_NOWARN);
			allocs++;
			if (!p)
				failed++;
			vfree(p);
			cond_resched();
		}
	}
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = 0;
#endif
	complete(&done);
	return 0;
}

static int __init vmalloc_faults_init(void)
{
	struct task_struct *t;

	t = kthread_run(vmalloc_faults_fn, NULL, "vmalloc_faults");
	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&done);
	pr_info("vmalloc_faults: comm=vmalloc_faults allocs=%lu failed=%lu\n",
		allocs, failed);
	return -EAGAIN;
}
module_init(vmalloc_faults_init);

MODULE_DESCRIPTION("vmscope: vmalloc under fault injection");
MODULE_LICENSE("GPL");
