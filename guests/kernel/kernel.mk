# The guest kernel (guests/kernel/README.md): one source tree, two builds.
#
#   kernel/kernel-hvm.elf, .bin   S-mode kernel for HVM domains (raw image at 0x80200000)
#   kernel/kernel-pv.elf          U-mode PV kernel, linked at KERNEL_BASE (docs/PV-ABI.md)
#   kernel/disk.img               the small disk the workloads use (copy-on-write in the .cfgs)
#
# Both kernels embed the same user program (user/), built once. Included by
# guests/Makefile, whose flags, pattern rules and `make check` it reuses.

KERNEL_IMAGES := kernel/kernel-hvm.elf kernel/kernel-hvm.bin kernel/kernel-pv.elf kernel/disk.img

kernel_LIB := kernel/lib/string.c kernel/lib/fmt.c kernel/lib/crc32.c
kernel_CORE := kernel/core/main.c kernel/core/kprintf.c kernel/core/frames.c kernel/core/vm.c \
	kernel/core/proc.c kernel/core/syscall.c kernel/core/timer.c kernel/core/user-image.S
kernel_USER := kernel/user/start.S kernel/user/main.c kernel/user/disk.c kernel/user/mem.c \
	kernel/user/timer.c kernel/user/net.c
kernel_HVM := kernel/hvm/start.S kernel/hvm/trap.S kernel/hvm/platform.c kernel/hvm/mm.c \
	kernel/hvm/sbi.c kernel/hvm/uart.c kernel/hvm/plic.c kernel/hvm/fdt.c kernel/hvm/cvblk.c \
	kernel/hvm/cvnet.c
kernel_PV := kernel/pv/start.S kernel/pv/entry.S kernel/pv/platform.c kernel/pv/mm.c \
	kernel/pv/hypercall.c kernel/pv/evtchn.c kernel/pv/grant.c kernel/pv/xenstore.c \
	kernel/pv/blkfront.c kernel/pv/netfront.c

$(BUILD)/kernel/%.o: CPPFLAGS := -Ikernel/include -Ikernel/core
# No linker relaxation: nothing then relies on gp, which the user program owns while it runs.
KERNEL_LDFLAGS := $(ARCHFLAGS) -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,--no-relax

$(BUILD)/kernel/user.elf: $(call objs,$(kernel_USER) $(kernel_LIB)) kernel/user/link.ld
	$(CC) $(KERNEL_LDFLAGS) -Wl,-T,kernel/user/link.ld -o $@ $(call objs,$(kernel_USER) $(kernel_LIB))

$(BUILD)/kernel/user.bin: $(BUILD)/kernel/user.elf
	$(OBJCOPY) -O binary $< $@

$(BUILD)/kernel/core/user-image.o: CPPFLAGS += -DUSER_BIN='"$(BUILD)/kernel/user.bin"'
$(BUILD)/kernel/core/user-image.o: $(BUILD)/kernel/user.bin

$(OUT)/kernel/kernel-hvm.elf: $(call objs,$(kernel_HVM) $(kernel_CORE) $(kernel_LIB)) kernel/hvm/link.ld
	@mkdir -p $(@D)
	$(CC) $(KERNEL_LDFLAGS) -Wl,-T,kernel/hvm/link.ld -o $@ $(call objs,$(kernel_HVM) $(kernel_CORE) $(kernel_LIB))

$(OUT)/kernel/kernel-hvm.bin: $(OUT)/kernel/kernel-hvm.elf
	$(OBJCOPY) -O binary $< $@

$(OUT)/kernel/kernel-pv.elf: $(call objs,$(kernel_PV) $(kernel_CORE) $(kernel_LIB)) kernel/pv/link.ld
	@mkdir -p $(@D)
	$(CC) $(KERNEL_LDFLAGS) -Wl,-T,kernel/pv/link.ld -o $@ $(call objs,$(kernel_PV) $(kernel_CORE) $(kernel_LIB))

# 128 KiB: sector 0 holds the label the disk workload checks, the rest is zero.
$(OUT)/kernel/disk.img: kernel/kernel.mk
	@mkdir -p $(@D)
	head -c 131072 /dev/zero > $@.tmp
	printf 'CHRONOVISOR TEST DISK 1\nguests/kernel/disk.img: sectors 8-71 are the disk workload'"'"'s scratch area\n' \
		| dd of=$@.tmp conv=notrunc status=none
	mv $@.tmp $@
