# SPDX-License-Identifier: MIT
# Ferrite: one non-recursive Makefile.  `make help` lists the targets.
#
# Outputs go to build/, mirroring the source tree.  The kernel is linked
# twice: the first link yields the symbol table that the second embeds
# (see scripts/gen-symbols.sh and linker.ld's .ksyms).

MAKEFLAGS += -rR --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

# ---- slab back-end ---------------------------------------------------------
# make SLAB_BACKEND=NAME (any target) builds the kernel and the host tests
# with that slab allocator; each back-end builds into its own directory:
# build/ for the default, build/NAME/ for the others.
SLAB_BACKEND ?= slub
include mm/slab_backends.mk
ifeq ($(filter $(SLAB_BACKEND),$(SLAB_BACKENDS)),)
$(error SLAB_BACKEND=$(SLAB_BACKEND) is not a slab back-end; mm/slab_backends.mk lists: $(SLAB_BACKENDS))
endif
SLAB_BACKEND_SRCS := $(SLAB_BACKEND_SRCS_$(SLAB_BACKEND))
SLAB_BACKEND_CFLAGS := -DSLAB_BACKEND_DEF='"$(SLAB_BACKEND)_def.h"'
# NR_CPUS=N: the most CPUs the kernel brings up (1: a uniprocessor kernel,
# which a back-end whose SLAB_BACKEND_SMP_SAFE is 0 requires).
NR_CPUS ?= 64
# KMALLOC_CLASSES=linux (8 16 32 64 96 128 192 256 512 ... 8192) or fine
# (four classes per power of two above 128; mm/slab.h).
KMALLOC_CLASSES ?= linux
ifeq ($(filter linux fine,$(KMALLOC_CLASSES)),)
$(error KMALLOC_CLASSES=$(KMALLOC_CLASSES): expected linux or fine)
endif
SLAB_BACKEND_CFLAGS += -DCONFIG_KMALLOC_FINE_CLASSES=$(if $(filter fine,$(KMALLOC_CLASSES)),1,0)

BUILD ?= $(if $(filter slub,$(SLAB_BACKEND)),build,build/$(SLAB_BACKEND))

# Quiet by default; make V=1 shows every command.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif

# ---- toolchain -------------------------------------------------------------
# The host gcc by default; CC=clang works too; CROSS_COMPILE=x86_64-elf-
# selects a cross toolchain's gcc, ld and nm.
CROSS_COMPILE ?=
CC := $(if $(filter command line environment,$(origin CC)),$(CC),$(CROSS_COMPILE)gcc)
LD := $(if $(filter command line environment,$(origin LD)),$(LD),$(CROSS_COMPILE)ld)
NM := $(if $(filter command line environment,$(origin NM)),$(NM),$(CROSS_COMPILE)nm)
NASM ?= nasm
HOSTCC ?= gcc
FUZZCC ?= clang
PYTHON ?= python3

# -mgeneral-regs-only and the -mno-* flags: no SSE/x87 code (SSE "works"
# under UEFI and faults under BIOS: the kernel never enables it).
# PAGE_POISON=1 builds a kernel with page poisoning on by default.
PAGE_POISON ?= 0

KERNEL_CFLAGS := -DCONFIG_PAGE_POISON_DEFAULT=$(PAGE_POISON) -DNR_CPUS=$(NR_CPUS) $(SLAB_BACKEND_CFLAGS) -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387 -nostdlib \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -Iarch/x86_64/include -MMD -MP
# A uniprocessor build keeps the code for other CPUs, which the compiler
# cannot prove unreachable: arrays of NR_CPUS = 1 entries indexed by CPU 1.
ifeq ($(NR_CPUS),1)
KERNEL_CFLAGS += -Wno-array-bounds -Wno-stringop-overflow
endif
KERNEL_LDFLAGS := -nostdlib -static -z noexecstack -z max-page-size=0x1000 --build-id=none -T linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -w+all -iarch/x86_64/

HOST_CFLAGS := $(SLAB_BACKEND_CFLAGS) -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -pthread \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
	-Itests/host/shim -Iinclude -Iarch/x86_64/include -MMD -MP \
	-Dsnprintf=kernel_snprintf -Dvsnprintf=kernel_vsnprintf

# ---- sources ---------------------------------------------------------------
BOOT_SRCS := boot/multiboot2_header.asm boot/entry.asm boot/entry64.asm

ARCH_SRCS := \
	arch/x86_64/apic.c \
	arch/x86_64/apic_timer.c \
	arch/x86_64/archrandom.c \
	arch/x86_64/cpufeature.c \
	arch/x86_64/delay.c \
	arch/x86_64/exception_entry.asm \
	arch/x86_64/i8042.c \
	arch/x86_64/i8259.c \
	arch/x86_64/io_apic.c \
	arch/x86_64/irq.c \
	arch/x86_64/irq_entry.asm \
	arch/x86_64/irq_stacks.c \
	arch/x86_64/jump.asm \
	arch/x86_64/extable.c \
	arch/x86_64/gdt.c \
	arch/x86_64/idt.c \
	arch/x86_64/ioremap.c \
	arch/x86_64/nmi.c \
	arch/x86_64/paging.c \
	arch/x86_64/paging_init.c \
	arch/x86_64/pat.c \
	arch/x86_64/percpu.c \
	arch/x86_64/pit.c \
	arch/x86_64/ptdump.c \
	arch/x86_64/serial.c \
	arch/x86_64/smp_stop.c \
	arch/x86_64/smpboot.c \
	arch/x86_64/tlb.c \
	arch/x86_64/trampoline.asm \
	arch/x86_64/traps.c \
	arch/x86_64/tsc.c \
	arch/x86_64/vga_text.c

# Pure code: also compiled, unmodified, into the host tests.
PURE_SRCS := \
	kernel/acpi_tables.c \
	kernel/bootinfo.c \
	kernel/cmdline.c \
	kernel/keyboard.c \
	kernel/ktest.c \
	kernel/monitor/command.c \
	kernel/monitor/held.c \
	kernel/monitor/input_ring.c \
	kernel/monitor/line_editor.c \
	kernel/firmware_map.c \
	kernel/lockdep.c \
	kernel/spinlock.c \
	kernel/trace_replay.c \
	kernel/vsprintf.c \
	mm/buddy.c \
	mm/buddy_debug.c \
	mm/memblock.c \
	mm/slab_common.c \
	mm/slab_object_debug.c \
	mm/vmap_area.c \
	$(SLAB_BACKEND_SRCS)

KERNEL_SRCS := $(PURE_SRCS) \
	kernel/acpi.c \
	kernel/bench.c \
	kernel/boot.c \
	kernel/console.c \
	kernel/crash_test.c \
	kernel/fbcon.c \
	kernel/font8x16.c \
	kernel/gdb_checkpoint.c \
	kernel/main.c \
	kernel/monitor/cmd_alloc.c \
	kernel/monitor/cmd_inspect.c \
	kernel/monitor/cmd_system.c \
	kernel/monitor/command_table.c \
	kernel/monitor/monitor.c \
	kernel/panic.c \
	kernel/printk.c \
	kernel/random.c \
	kernel/replay.c \
	kernel/shutdown.c \
	kernel/smp.c \
	kernel/string.c \
	kernel/symbols.c \
	mm/memremap.c \
	mm/debug.c \
	mm/mm_init.c \
	mm/page_alloc.c \
	mm/util.c \
	mm/vmalloc.c \
	mm/vmalloc_debug.c \
	mm/vmemmap.c

# Test files that build for both the kernel and the host.
COMMON_TEST_SRCS := \
	tests/common/test_cmdline.c \
	tests/common/test_keyboard.c \
	tests/common/test_ktest.c \
	tests/common/test_lockdep.c \
	tests/common/test_memblock.c \
	tests/common/test_spinlock.c \
	tests/common/test_monitor_command.c \
	tests/common/test_monitor_held.c \
	tests/common/test_monitor_line.c \
	tests/common/test_vmap_area.c \
	tests/common/test_vsprintf.c

# Self-tests that need the running kernel.
KTEST_SRCS := $(COMMON_TEST_SRCS) \
	tests/kernel/test_acpi.c \
	tests/kernel/test_apic.c \
	tests/kernel/test_boot.c \
	tests/kernel/test_faults.c \
	tests/kernel/test_fbcon.c \
	tests/kernel/test_gdb_checkpoint.c \
	tests/kernel/test_page_alloc.c \
	tests/kernel/test_paging.c \
	tests/kernel/test_printk.c \
	tests/kernel/test_random.c \
	tests/kernel/test_slab.c \
	tests/kernel/test_slab_smp.c \
	tests/kernel/test_smp.c \
	tests/kernel/test_tlb_shootdown.c \
	tests/kernel/test_trace_replay.c \
	tests/kernel/test_vmalloc.c \
	tests/kernel/test_mm_stress.c \
	$(SLAB_BACKEND_KTESTS_$(SLAB_BACKEND))

# Benchmarks, run only with bench=GLOB on the command line (make bench).
BENCH_SRCS := \
	tests/bench/bench_irq.c \
	tests/bench/bench_kmalloc_parallel.c \
	tests/bench/bench_page_alloc.c \
	tests/bench/bench_page_alloc_parallel.c \
	tests/bench/bench_parallel.c \
	tests/bench/bench_self.c \
	tests/bench/bench_slab.c \
	tests/bench/bench_smp.c \
	tests/bench/bench_vmalloc.c

# Extra self-test files: make test EXTRA_KTESTS="path/a.c path/b.c"
EXTRA_KTESTS ?=
EXTRA_KTEST_OBJS := $(patsubst /%.c,$(BUILD)/extra/%.o,$(abspath $(EXTRA_KTESTS)))

HOST_TEST_SRCS := $(COMMON_TEST_SRCS) \
	tests/host/test_acpi.c \
	tests/host/test_bootinfo.c \
	tests/host/test_buddy.c \
	tests/host/test_buddy_features.c \
	tests/host/test_buddy_misuse.c \
	tests/host/test_buddy_pcp.c \
	tests/host/test_buddy_stress.c \
	tests/host/test_buddy_threads.c \
	tests/host/test_buddy_zones.c \
	tests/host/test_firmware_map.c \
	tests/host/test_slab_cache.c \
	tests/host/test_slab_kmalloc.c \
	tests/host/test_slab_misuse.c \
	tests/host/test_slab_threads.c \
	tests/host/test_slab_stress.c \
	tests/host/test_trace_replay.c \
	tests/host/arena.c \
	tests/host/buddy_arena.c \
	tests/host/slab_arena.c \
	tests/host/host_support.c \
	tests/host/main.c \
	$(SLAB_BACKEND_HOST_TESTS_$(SLAB_BACKEND))

obj = $(patsubst %,$(BUILD)/%.o,$(basename $(1)))
KERNEL_OBJS := $(call obj,$(BOOT_SRCS) $(ARCH_SRCS) $(KERNEL_SRCS) $(KTEST_SRCS) $(BENCH_SRCS)) $(EXTRA_KTEST_OBJS)
HOST_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(basename $(PURE_SRCS) $(HOST_TEST_SRCS)))
# The same host tests under ThreadSanitizer; make test-host-tsan runs the threaded suites.
HOST_TSAN_CFLAGS = $(subst -fsanitize=address$(comma)undefined,-fsanitize=thread,$(HOST_CFLAGS))
HOST_TSAN_OBJS := $(patsubst %,$(BUILD)/host-tsan/%.o,$(basename $(PURE_SRCS) $(HOST_TEST_SRCS)))
# The threaded suites, a ktest= list (suite,suite).
HOST_TSAN_SUITES = slab_threads,buddy_threads$(addprefix $(comma),$(SLAB_BACKEND_TSAN_SUITES_$(SLAB_BACKEND)))

# ---- kernel ----------------------------------------------------------------
.PHONY: all
all: $(BUILD)/kernel.elf

# The compiler, NASM and binutils must be there before anything is built
# (scripts/deps.sh build); nothing else is needed to compile.
$(KERNEL_OBJS) $(HOST_OBJS): | $(BUILD)/deps-build.stamp

$(BUILD)/%.o: %.c $(BUILD)/cflags.stamp
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(@D)
	$(call say,NASM,$<)
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/extra/%.o: /%.c $(BUILD)/cflags.stamp
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# Rebuild everything when the compiler or the extra test list changes.
$(BUILD)/cflags.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(KERNEL_CFLAGS) $(EXTRA_KTESTS)' | cmp -s - $@ || \
		echo '$(CC) $(KERNEL_CFLAGS) $(EXTRA_KTESTS)' > $@

# Relink when the list of objects changes (a file added to or dropped from
# the lists above), not only when an object does.
$(BUILD)/kernel-objs.stamp $(BUILD)/host/host-objs.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(if $(findstring host-objs,$@),$(HOST_OBJS),$(KERNEL_OBJS))' | cmp -s - $@ || \
		echo '$(if $(findstring host-objs,$@),$(HOST_OBJS),$(KERNEL_OBJS))' > $@

$(BUILD)/ksyms-empty.S: scripts/gen-symbols.sh
	@mkdir -p $(@D)
	$(Q)scripts/gen-symbols.sh > $@

$(BUILD)/%.o: $(BUILD)/%.S
	$(call say,AS,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o linker.ld $(BUILD)/kernel-objs.stamp
	$(call say,LD,$@)
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf scripts/gen-symbols.sh
	$(call say,KSYMS,$@)
	$(Q)NM=$(NM) scripts/gen-symbols.sh $< > $@

# The embedded table must describe the final image: adding it may not move code.
$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/ksyms.o linker.ld $(BUILD)/kernel-objs.stamp
	$(call say,LD,$@)
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.o
	@NM=$(NM) scripts/gen-symbols.sh $@ | cmp -s - $(BUILD)/ksyms.S || \
		{ echo "error: the symbol table moved code; see linker.ld .ksyms" >&2; rm -f $@; exit 1; }

# ---- ISO images ------------------------------------------------------------
# ferrite.iso: for people (runs the self-tests, then offers the monitor's prompt).
# ferrite-test-*.iso: the same kernel with exit=<emulator> and lockdep=1 (the
# lock validator; the benchmark ISO runs without it) for the harness;
# scripts/test.sh knows each one's ktest= selection (QEMU_KTEST, BOCHS_KTEST).
ISO_CMDLINE ?= ktest=* monitor

comma := ,
# Under Bochs (10-50x slower than QEMU) the pure range-allocator stress is
# left out: it runs on the host and in every QEMU boot.
# Every ISO carries a replay trace as the multiboot2 module "replay"
# (iso/grub.cfg): the slice of the committed trace that the trace_replay
# self-test replays, or the trace of make replay ($(5)).
define make_iso
	@rm -rf $(BUILD)/isoroot-$(2) && mkdir -p $(BUILD)/isoroot-$(2)/boot/grub
	$(call say,ISO,$(1))
	$(Q)cp $(BUILD)/kernel.elf $(BUILD)/isoroot-$(2)/boot/kernel.elf
	@test -f $(if $(5),$(5),$(REPLAY_TEST_BIN)) || \
		{ echo "$(1) needs $(REPLAY_TEST_BIN): list it in ISO_IMAGES" >&2; exit 1; }
	$(Q)cp $(if $(5),$(5),$(REPLAY_TEST_BIN)) $(BUILD)/isoroot-$(2)/boot/replay.bin
	$(Q)sed -e 's|@CMDLINE@|$(3)|' -e 's|@TIMEOUT@|$(4)|' iso/grub.cfg > $(BUILD)/isoroot-$(2)/boot/grub/grub.cfg
	$(Q)grub-mkrescue --mbr-force-bootable -o $(1) $(BUILD)/isoroot-$(2) 2> $(BUILD)/grub-mkrescue-$(2).log || \
		{ cat $(BUILD)/grub-mkrescue-$(2).log >&2; exit 1; }
endef

.PHONY: iso
iso: $(BUILD)/ferrite.iso

# ---- real allocation traces (make replay; format in include/trace_replay.h) ----
# REPLAY_TRACE: the committed trace (gzip-compressed replay file), the
# default of make replay; REPLAY_TEST_RECORDS of its records from record
# REPLAY_TEST_FIRST on (the middle of its file-system workload, where
# allocations and frees mix) go on every ISO for the trace_replay self-test.
REPLAY_TRACE := tests/traces/linux-6.1-boot-tmpfs.replay.gz
REPLAY_TEST_FIRST := 300000
REPLAY_TEST_RECORDS := 6000
REPLAY_TEST_BIN := $(BUILD)/replay-test.bin
# Every ISO built with make_iso but the replay's own:
ISO_IMAGES := $(addprefix $(BUILD)/,ferrite.iso ferrite-bench.iso \
	$(addprefix ferrite-test-,$(addsuffix .iso,qemu bochs nosmp maxcpus2 screen badcmdline crash gdb monitor slab)))
$(ISO_IMAGES): $(REPLAY_TEST_BIN)

$(REPLAY_TEST_BIN): $(REPLAY_TRACE) scripts/trace-convert.py | $(BUILD)/deps-iso.stamp
	@mkdir -p $(@D)
	$(call say,SLICE,$@)
	$(Q)$(PYTHON) scripts/trace-convert.py --slice $(REPLAY_TEST_RECORDS) --from $(REPLAY_TEST_FIRST) $< -o $@ > /dev/null

$(BUILD)/ferrite.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,user,$(ISO_CMDLINE),3)

$(BUILD)/ferrite-test-qemu.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,qemu,ktest=* lockdep=1 exit=qemu,0)

$(BUILD)/ferrite-test-bochs.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,bochs,ktest=*$(comma)-vmap_area lockdep=1 exit=bochs,0)

# The CPU limits of the command line (make test-matrix boots them with 4 CPUs).
$(BUILD)/ferrite-test-nosmp.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,nosmp,ktest=* nosmp exit=qemu,0)

$(BUILD)/ferrite-test-maxcpus2.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,maxcpus2,ktest=* maxcpus=2 exit=qemu,0)

$(BUILD)/ferrite-test-screen.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,screen,ktest=* lockdep=1 exit=debugcon,0)

# Selects nothing and gives bad values: the boot must fail and say why.
$(BUILD)/ferrite-test-badcmdline.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,badcmdline,ktest=nosuchsuite bench=nosuch page_poison=banana slab_debug=QQ crash_on_cpu=banana exit=qemu,0)

# CPU 1 crashes on purpose: the others must be stopped, each with its backtrace.
$(BUILD)/ferrite-test-crash.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,crash,crash_on_cpu=1 lockdep=1 exit=qemu,0)

# ferrite-test-gdb.iso: one suite, then the debugger checkpoints (scripts/gdb-check.sh).
$(BUILD)/ferrite-test-gdb.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,gdb,ktest=page_alloc$(comma)vmalloc slab_debug=FZPU$(comma)kmalloc-* gdb_checkpoint=corrupt exit=qemu,0)

# The monitor straight away; `halt` ends the run (scripts/monitor-check.sh drives it).
$(BUILD)/ferrite-test-monitor.iso: $(BUILD)/kernel.elf iso/grub.cfg | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,monitor,monitor exit=qemu,0)

# ferrite-test-slab.iso: the suites KTEST_SLAB selects (scripts/test.sh
# gives those whose outcome depends on the slab back-end, for make test's
# boots of the other back-ends); rebuilt when KTEST_SLAB changes.
KTEST_SLAB ?= slab*

$(BUILD)/ktest-slab-cmdline.stamp: FORCE
	@mkdir -p $(@D)
	@echo 'ktest=$(KTEST_SLAB)' | cmp -s - $@ || echo 'ktest=$(KTEST_SLAB)' > $@

$(BUILD)/ferrite-test-slab.iso: $(BUILD)/kernel.elf iso/grub.cfg $(BUILD)/ktest-slab-cmdline.stamp | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,slab,ktest=$(KTEST_SLAB) lockdep=1 exit=qemu,0)

# ferrite-bench.iso: the same kernel running the benchmarks BENCH selects
# (make bench; default all); rebuilt when BENCH changes.
BENCH ?= *

$(BUILD)/bench-cmdline.stamp: FORCE
	@mkdir -p $(@D)
	@echo 'bench=$(BENCH) exit=qemu' | cmp -s - $@ || echo 'bench=$(BENCH) exit=qemu' > $@

$(BUILD)/ferrite-bench.iso: $(BUILD)/kernel.elf iso/grub.cfg $(BUILD)/bench-cmdline.stamp | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,bench,bench=$(BENCH) exit=qemu,0)

# ---- dependencies ----------------------------------------------------------
# scripts/deps.sh installs what is missing (apt-get, as root or through
# sudo), one group at a time: each target needs only its own group.
#   build  compiler, NASM, binutils (every object file)
#   iso    GRUB for BIOS and UEFI, xorriso, mtools, python3 (the ISO images and their replay slice)
#   run    QEMU and OVMF          bochs  Bochs and its BIOSes
#   fuzz   clang and libFuzzer    clang  clang alone (the matrix's clang build)
#   debug  gdb                    plot   gnuplot (make compare's charts)
# `make deps` installs every group.  The harness scripts check theirs on
# every run; a stamp records a group checked for the build rules.
DEPS_GROUPS := build iso run bochs fuzz clang debug plot

.PHONY: deps
deps:
	scripts/deps.sh $(DEPS_GROUPS)
	@mkdir -p $(BUILD) && for group in $(DEPS_GROUPS); do touch $(BUILD)/deps-$$group.stamp; done

$(BUILD)/deps-%.stamp: scripts/deps.sh
	scripts/deps.sh $*
	@mkdir -p $(@D) && touch $@

# ---- running ---------------------------------------------------------------
ACCEL ?= tcg
MEM ?= 256M
FIRMWARE ?= bios
QEMU_ARGS ?=

.PHONY: run debug gdb
run: $(BUILD)/ferrite.iso | $(BUILD)/deps-run.stamp
	scripts/qemu.sh --iso $< --firmware $(FIRMWARE) --mem $(MEM) --accel $(ACCEL) -- $(QEMU_ARGS)

debug: $(BUILD)/ferrite.iso | $(BUILD)/deps-run.stamp
	scripts/qemu.sh --iso $< --firmware $(FIRMWARE) --mem $(MEM) --accel $(ACCEL) --gdb -- $(QEMU_ARGS)

gdb: $(BUILD)/kernel.elf | $(BUILD)/deps-debug.stamp
	gdb -q -x scripts/ferrite.gdb $(BUILD)/kernel.elf

# ---- tests -----------------------------------------------------------------
# scripts/test.sh checks the emulators it needs (scripts/deps.sh run bochs).
.PHONY: test test-host test-host-tsan host-tsan-suites slab-backends test-kernel test-matrix
# Plain make test and make test-matrix cover every other registered slab
# back-end too; make test SLAB_BACKEND=NAME covers NAME alone.
ALSO_SLAB_BACKENDS := $(if $(filter command line environment,$(origin SLAB_BACKEND)),,$(filter-out $(SLAB_BACKEND),$(SLAB_BACKENDS)))
test:
	@BUILD=$(BUILD) SLAB_BACKEND=$(SLAB_BACKEND) ALSO_SLAB_BACKENDS='$(ALSO_SLAB_BACKENDS)' scripts/test.sh

test-host: $(BUILD)/host/ktest-host
	$(BUILD)/host/ktest-host

# Threaded suites under ThreadSanitizer (known races outside the code under
# test are suppressed in tests/host/tsan.supp, each with its reason).
test-host-tsan: $(BUILD)/host-tsan/ktest-host
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/host/tsan.supp" \
		$(BUILD)/host-tsan/ktest-host '$(HOST_TSAN_SUITES)'

# The suites test-host-tsan runs, in ktest= syntax (for scripts/test.sh).
host-tsan-suites:
	@echo '$(HOST_TSAN_SUITES)'

# The registered slab back-ends (mm/slab_backends.mk), for scripts/test.sh.
slab-backends:
	@echo '$(SLAB_BACKENDS)'

$(BUILD)/host-tsan/%.o: %.c
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_TSAN_CFLAGS) -c $< -o $@

$(BUILD)/host-tsan/ktest-host: $(HOST_TSAN_OBJS)
	$(call say,HOSTLD,$@)
	$(Q)$(HOSTCC) $(HOST_TSAN_CFLAGS) -o $@ $^

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/ktest-host: $(HOST_OBJS) $(BUILD)/host/host-objs.stamp
	$(call say,HOSTLD,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $(HOST_OBJS)

# The slab suites alone (test_slab_*.c and the back-end's own), for the
# other back-ends plain make test covers: fewer files to build.
HOST_SLAB_TEST_SRCS := $(filter tests/host/test_slab_%.c tests/host/arena.c tests/host/buddy_arena.c \
	tests/host/slab_arena.c tests/host/host_support.c tests/host/main.c, \
	$(filter-out $(SLAB_BACKEND_HOST_TESTS_$(SLAB_BACKEND)),$(HOST_TEST_SRCS))) \
	$(SLAB_BACKEND_HOST_TESTS_$(SLAB_BACKEND))
HOST_SLAB_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(basename $(PURE_SRCS) $(HOST_SLAB_TEST_SRCS)))
$(BUILD)/host/ktest-host-slab: $(HOST_SLAB_OBJS) Makefile mm/slab_backends.mk
	$(call say,HOSTLD,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $(HOST_SLAB_OBJS)

test-kernel:
	@BUILD=$(BUILD) SLAB_BACKEND=$(SLAB_BACKEND) ALSO_SLAB_BACKENDS='$(ALSO_SLAB_BACKENDS)' scripts/test.sh --kernel-only

# The Python unit tests of the scripts (tests/host/test_*.py: the trace
# converter, make compare's table); part of make test.
.PHONY: test-scripts
test-scripts:
	$(PYTHON) -m unittest discover -s tests/host -p 'test_*.py'

# The long boot matrix: memory sizes, CPU models, BIOS and UEFI (minutes).
test-matrix:
	@BUILD=$(BUILD) SLAB_BACKEND=$(SLAB_BACKEND) ALSO_SLAB_BACKENDS='$(ALSO_SLAB_BACKENDS)' scripts/test.sh --matrix

# ---- fuzzing ---------------------------------------------------------------
# A fuzz target is tests/host/fuzz_<name>.c defining LLVMFuzzerTestOneInput,
# its committed corpus is tests/host/fuzz_corpus/<name>/, and it is listed
# here with the sources it links (its own file first):
FUZZ_TARGETS += bootinfo
FUZZ_SRCS_bootinfo := tests/host/fuzz_bootinfo.c kernel/bootinfo.c kernel/firmware_map.c

# make fuzz: libFuzzer (clang) on every target, or FUZZ_TARGET=<name>, for
# FUZZ_SECONDS each; new inputs go to build/fuzz/corpus-<name>/.
# make fuzz-replay (part of make test): every committed input, once, through
# the same target built by the host gcc with ASan and UBSan
# (tests/host/fuzz_replay.c is its main).
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= $(FUZZ_TARGETS)
FUZZ_SANITIZE := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS := $(FUZZ_SANITIZE) -Iinclude
.PHONY: fuzz fuzz-replay fuzz-targets
# Second expansion: targets listed further down the Makefile count too.
.SECONDEXPANSION:
fuzz: $$(foreach t,$$(FUZZ_TARGET),$(BUILD)/fuzz/fuzz-$$(t)) | $(BUILD)/deps-fuzz.stamp
	@set -e; for t in $(FUZZ_TARGET); do \
		echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		$(BUILD)/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(BUILD)/fuzz/corpus-$$t tests/host/fuzz_corpus/$$t; \
	done

fuzz-replay: $$(foreach t,$$(FUZZ_TARGETS),$(BUILD)/fuzz-replay/fuzz-replay-$$(t))
	@set -e; for t in $(FUZZ_TARGETS); do \
		printf '%-10s ' "$$t:"; \
		$(BUILD)/fuzz-replay/fuzz-replay-$$t tests/host/fuzz_corpus/$$t; \
	done

# The target names, for scripts/test.sh.
fuzz-targets:
	@echo $(FUZZ_TARGETS)

$(BUILD)/fuzz/fuzz-%: $$(FUZZ_SRCS_$$*) $(wildcard include/*.h) | $(BUILD)/deps-fuzz.stamp
	@mkdir -p $(@D)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZCC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.c,$^)

# The replay main sees only the C library's headers (include/ has an errno.h).
$(BUILD)/fuzz-replay/fuzz_replay.o: tests/host/fuzz_replay.c | $(BUILD)/deps-build.stamp
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(FUZZ_SANITIZE) -std=gnu11 -Wall -Wextra -Werror -c -o $@ $<

$(BUILD)/fuzz-replay/fuzz-replay-%: $(BUILD)/fuzz-replay/fuzz_replay.o $$(FUZZ_SRCS_$$*) $(wildcard include/*.h)
	@test -n "$(FUZZ_SRCS_$*)" || { echo "no FUZZ_SRCS_$* in the Makefile" >&2; exit 1; }
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(FUZZ_FLAGS) -o $@ $(filter %.o %.c,$^)

# The ACPI table parser: seeds in tests/host/fuzz_corpus/acpi/ (scripts/gen-acpi-corpus.py).
FUZZ_TARGETS += acpi
FUZZ_SRCS_acpi := tests/host/fuzz_acpi.c kernel/acpi_tables.c

# The replay trace parser.
FUZZ_TARGETS += trace_replay
FUZZ_SRCS_trace_replay := tests/host/fuzz_trace_replay.c kernel/trace_replay.c

# ---- benchmarks ------------------------------------------------------------
# Not part of `make test`: benchmarks report numbers, they check nothing.
# BENCH_MODE=tcg (time, host cycles) or icount (instructions, deterministic);
# BENCH_RUNS=N boots N times and keeps the median of each figure;
# BENCH=GLOB runs only the cases whose names match.
BENCH_MODE ?= tcg
BENCH_RUNS ?= 1
# BENCH_SMP=N boots the benchmarks on N CPUs (the SMP figures need 2 or more;
# the parallel ones measure 1, 2 and 4).
BENCH_SMP ?= 4

.PHONY: bench
bench: $(BUILD)/ferrite-bench.iso | $(BUILD)/deps-run.stamp
	@BUILD=$(BUILD) SLAB_BACKEND=$(SLAB_BACKEND) BENCH_SMP=$(BENCH_SMP) scripts/bench.sh --iso $< --mode $(BENCH_MODE) --runs $(BENCH_RUNS)

# ---- comparing allocators --------------------------------------------------
# make compare: make bench and make replay (of each trace of COMPARE_TRACES,
# default tests/traces/linux-*.replay.gz) for every slab back-end of
# mm/slab_backends.mk (COMPARE_BACKENDS=NAME... adds more), make bench-linux
# (LINUX=0 skips it), under icount and TCG (COMPARE_MODES), then one table,
# build/compare/summary.txt, and charts, build/compare/*.png.
COMPARE_BACKENDS ?=
.PHONY: compare
compare: | $(BUILD)/deps-run.stamp $(BUILD)/deps-plot.stamp
	@scripts/compare.sh $(SLAB_BACKENDS) $(filter-out $(SLAB_BACKENDS),$(COMPARE_BACKENDS))

# ---- trace replay ---------------------------------------------------------
# make replay TRACE=FILE: boot a kernel that replays FILE (scripts/replay.sh).
# FILE is a replay file (plain or gzip-compressed) or ftrace's raw text of
# the kmem events, converted first by scripts/trace-convert.py (its
# summary is printed).  Default: the committed trace.  BENCH_MODE=tcg|icount
# as for make bench; REPLAY_RECORDS=N replays only the first N records;
# REPLAY_MEM is the guest's RAM.  Figures go to $(BUILD)/replay.txt.
TRACE ?= $(REPLAY_TRACE)
REPLAY_RECORDS ?=
REPLAY_MEM ?= 512M
REPLAY_CMDLINE = replay$(if $(REPLAY_RECORDS),=$(REPLAY_RECORDS)) exit=qemu

$(BUILD)/replay-cmdline.stamp $(BUILD)/replay-trace.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(if $(findstring cmdline,$@),$(REPLAY_CMDLINE),$(abspath $(TRACE)))' | cmp -s - $@ || \
		echo '$(if $(findstring cmdline,$@),$(REPLAY_CMDLINE),$(abspath $(TRACE)))' > $@

$(BUILD)/replay.bin: $(wildcard $(TRACE)) $(BUILD)/replay-trace.stamp scripts/trace-convert.py | $(BUILD)/deps-iso.stamp
	@test -f "$(TRACE)" || { echo "make replay: TRACE=$(TRACE): no such file" >&2; exit 1; }
	$(call say,TRACE,$(TRACE))
	$(Q)$(PYTHON) scripts/trace-convert.py --prepare $(TRACE) -o $@

$(BUILD)/ferrite-replay.iso: $(BUILD)/kernel.elf iso/grub.cfg $(BUILD)/replay.bin $(BUILD)/replay-cmdline.stamp | $(BUILD)/deps-iso.stamp
	$(call make_iso,$@,replay,$(REPLAY_CMDLINE),0,$(BUILD)/replay.bin)

.PHONY: replay
replay: $(BUILD)/ferrite-replay.iso | $(BUILD)/deps-run.stamp
	@BUILD=$(BUILD) scripts/replay.sh --iso $< --mode $(BENCH_MODE) --mem $(REPLAY_MEM)

# ---- Linux as the baseline -------------------------------------------------
# Debian's stock kernel, booted under the same QEMU as make bench, with the
# same benchmarks as a module (tools/linux-bench/).  scripts/deps.sh linux
# installs the kernel, its headers and busybox-static on first use (never
# make test).  make bench-linux measures Linux twice: as shipped
# (build/bench-linux.txt) and with init_on_alloc=0
# (build/bench-linux-init_on_alloc_0.txt); LINUX_CMDLINE adds kernel
# arguments to both.  BENCH (case names, comma-separated, or *), BENCH_MODE, BENCH_RUNS
# and BENCH_SMP as for make bench.
LINUX_CMDLINE ?=

.PHONY: bench-linux trace-linux
bench-linux:
	@BUILD=$(BUILD) BENCH='$(BENCH)' BENCH_SMP=$(BENCH_SMP) scripts/bench-linux.sh --mode $(BENCH_MODE) \
		--runs $(BENCH_RUNS) --cmdline '$(LINUX_CMDLINE)' --out $(BUILD)/bench-linux.txt
	@BUILD=$(BUILD) BENCH='$(BENCH)' BENCH_SMP=$(BENCH_SMP) scripts/bench-linux.sh --mode $(BENCH_MODE) \
		--runs $(BENCH_RUNS) --cmdline '$(strip init_on_alloc=0 $(LINUX_CMDLINE))' \
		--out '$(BUILD)/bench-linux-init_on_alloc_0.txt'

# A real allocation trace: Linux boots with the kmem tracepoints on and
# runs a tmpfs workload; the ftrace text lands in build/trace-linux/trace.txt.
# The script ends by converting it with scripts/trace-convert.py (the
# replay format) when that converter is present.
trace-linux:
	@BUILD=$(BUILD) scripts/trace-linux.sh

# ---- real PCs --------------------------------------------------------------
.PHONY: usb
usb: $(BUILD)/ferrite.iso
	scripts/write-usb.sh $(BUILD)/ferrite.iso "$(DEV)"

# ---- housekeeping ----------------------------------------------------------
.PHONY: clean help FORCE
clean:
	rm -rf $(BUILD)

help:
	@echo "make             build build/kernel.elf"
	@echo "make iso         build build/ferrite.iso (BIOS + UEFI, CD or USB stick)"
	@echo "make run         boot it in QEMU: self-tests, then the ferrite> prompt (FIRMWARE=bios|uefi MEM=256M ACCEL=tcg|kvm)"
	@echo "make debug       boot paused, gdb stub on :1234; then 'make gdb' elsewhere"
	@echo "make test        host tests + self-tests under QEMU (BIOS, UEFI, CD, USB) and Bochs"
	@echo "make test-host   host tests only (ASan + UBSan)"
	@echo "make test-host-tsan  the threaded host suites under ThreadSanitizer"
	@echo "make test-matrix the long boot matrix (memory sizes, CPU models, BIOS + UEFI)"
	@echo "make bench       run the benchmarks, figures in build/bench.txt (BENCH=GLOB BENCH_MODE=tcg|icount BENCH_RUNS=1)"
	@echo "make replay      replay a real allocation trace in the kernel (TRACE=file BENCH_MODE=tcg|icount)"
	@echo "make compare     every slab back-end and Linux on the same figures: build/compare/summary.txt + charts"
	@echo "make bench-linux the same benchmarks inside Debian's stock Linux: build/bench-linux*.txt (LINUX_CMDLINE=...)"
	@echo "make trace-linux a kmem trace of Linux booting and working in tmpfs: build/trace-linux/trace.txt"
	@echo "make fuzz        fuzz every target for FUZZ_SECONDS=60 each (FUZZ_TARGET=name: one)"
	@echo "make fuzz-replay replay the committed fuzz corpora (part of make test)"
	@echo "make usb DEV=/dev/sdX   write the ISO to a USB stick"
	@echo "make deps        install missing tools (apt-get)"
	@echo "make clean"

FORCE:

-include $(KERNEL_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(HOST_TSAN_OBJS:.o=.d)
