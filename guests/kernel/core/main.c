/*
 * The portable kernel: once a platform layer has brought up its console,
 * memory and devices, it calls kernel_main, which loads the embedded user
 * program into its own address space, runs it to completion and reports.
 * Everything printed here is platform-independent: the result lines of both
 * builds must be identical.
 */
#include "kernel.h"

extern const uint8_t user_image[], user_image_end[];

const char *kernel_cmdline = "";

void kernel_main(const char *cmdline)
{
	kernel_cmdline = cmdline;
	kprintf("kernel: command line \"%s\"\n", cmdline);

	uint64_t first, end;
	plat_free_frames(&first, &end);
	frames_init(first, end);
	uint64_t baseline = frames_in_use();

	int pid = proc_spawn_init(user_image, (uint64_t)(user_image_end - user_image));
	kprintf("kernel: user program loaded (pid %d, %lu bytes)\n", pid, (uint64_t)(user_image_end - user_image));
	int status = proc_run();
	uint64_t leaked = frames_in_use() - baseline;

	kprintf("kernel: user program exited with status %d, %lu frames still in use\n", status, leaked);
	if (status == 0 && leaked == 0) {
		kprintf("kernel: all workloads passed\n");
		plat_shutdown(1);
	}
	kprintf("kernel: workloads FAILED\n");
	plat_shutdown(0);
}
