#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runner behind `make bench-linux`: Ferrite's benchmarks inside Linux.
#
# Builds tools/linux-bench/ferrite_bench.ko against the headers of
# Debian's stock kernel (scripts/linux-kernel.sh), checks that its
# vermagic names the kernel that will boot, packs it into a busybox
# initramfs (scripts/linux-initramfs.sh) whose /init loads it, and boots
# that kernel under the QEMU that scripts/bench.sh gives Ferrite: machine
# pc, -cpu max, 256 MiB, TCG, the same CPU count, -icount shift=0 in
# icount mode.  The module prints Ferrite's "BENCH ..." lines on the
# console; they are collected like scripts/bench.sh collects Ferrite's.
#
# usage: scripts/bench-linux.sh [--mode tcg|icount] [--runs N] [--timeout SECONDS]
#                               [--cmdline "ARGS"] [--out FILE] [--image BZIMAGE]
#
# --image boots another build of the same kernel release instead of
# /boot's (the module is still built against the installed headers, and
# the vermagic check refuses an image of another release).
# --cmdline adds kernel arguments (e.g. "init_on_alloc=0"); --out names
# the figures file (default build/bench-linux.txt), one median line per
# figure as in build/bench.txt; each boot's log is kept under
# build/bench-linux-runs/<name of the figures file>/.  BENCH_MODE,
# BENCH_RUNS, BENCH_TIMEOUT, BENCH_SMP and BENCH (case names, comma-separated,
# or *; no patterns) work as for scripts/bench.sh.
#
# Exit status: 0 if every boot loaded the module, printed "BENCH done"
# with as many figures as it announced and no failed case; 1 otherwise;
# 2 on a bad argument.
set -eu -o pipefail

cd "$(dirname "$0")/.."
export LC_ALL=C
BUILD=${BUILD:-build}
mode=${BENCH_MODE:-tcg}
runs=${BENCH_RUNS:-1}
limit=${BENCH_TIMEOUT:-1800}
smp=${BENCH_SMP:-1}
cmdline=""
out=$BUILD/bench-linux.txt
image=""
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=$2; shift ;;
	--runs) runs=$2; shift ;;
	--timeout) limit=$2; shift ;;
	--cmdline) cmdline=$2; shift ;;
	--out) out=$2; shift ;;
	--image) image=$2; shift ;;
	*) echo "bench-linux.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $mode in
tcg) mode_args=() ;;
icount) mode_args=(-icount shift=0) ;;
*) echo "bench-linux.sh: --mode must be tcg or icount" >&2; exit 2 ;;
esac
case $runs in
'' | *[!0-9]* | 0) echo "bench-linux.sh: --runs must be a positive number" >&2; exit 2 ;;
esac
case $smp in
'' | *[!0-9]* | 0) echo "bench-linux.sh: BENCH_SMP must be a positive number" >&2; exit 2 ;;
esac
# Linux 6.1 under -icount shift=0 with two vCPUs did not get past
# "Booting SMP configuration" in 10 minutes: refuse rather than hang.
if [ "$mode" = icount ] && [ "$smp" -gt 1 ]; then
	echo "bench-linux.sh: BENCH_MODE=icount needs BENCH_SMP=1 (Linux does not finish bringing up" >&2
	echo "  more CPUs under -icount); measure the parallel figures with BENCH_MODE=tcg" >&2
	exit 2
fi

scripts/deps.sh linux run
eval "$(scripts/linux-kernel.sh "$BUILD")"
if [ -n "$image" ]; then
	[ -r "$image" ] || { echo "bench-linux.sh: $image not found" >&2; exit 2; }
	linux_image=$image
fi

# ---- the module -------------------------------------------------------------
module_dir=$BUILD/linux-bench/module
mkdir -p "$module_dir"
cp tools/linux-bench/Kbuild tools/linux-bench/Makefile tools/linux-bench/ferrite_bench.c "$module_dir/"
echo "== building ferrite_bench.ko for Linux $linux_version" >&2
make -s -C "$module_dir" KDIR="$linux_build" > "$module_dir/build.log" 2>&1 || {
	cat "$module_dir/build.log" >&2
	echo "bench-linux.sh: the module did not build against $linux_build" >&2
	exit 1
}
module=$module_dir/ferrite_bench.ko

# The bzImage header says which kernel it is: a 16-bit pointer at 0x20e,
# relative to 0x200, to the version string ("6.1.0-57-amd64 (debian-...").
# The module's vermagic starts with the release it was built for.
version_offset=$(od -An -tu2 -j 526 -N 2 "$linux_image" | tr -d ' ')
image_release=$(dd if="$linux_image" bs=1 skip=$((version_offset + 512)) count=256 2>/dev/null |
	tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1)
vermagic=$(modinfo -F vermagic "$module")
if [ "${vermagic%% *}" != "$image_release" ]; then
	echo "bench-linux.sh: vermagic mismatch: $module is for \"${vermagic%% *}\"," >&2
	echo "  but $linux_image is Linux \"$image_release\"; install matching linux-image and linux-headers" >&2
	exit 1
fi
echo "== vermagic \"$vermagic\" matches $linux_image ($image_release)" >&2

initramfs=$BUILD/linux-bench/initramfs.cpio.gz
scripts/linux-initramfs.sh --init tools/linux-bench/init.sh --out "$initramfs" \
	--file "$module=ferrite_bench.ko"

# ---- the boots --------------------------------------------------------------
name=$(basename "$out" .txt)
out_dir=$BUILD/bench-linux-runs/$name
rm -rf "$out_dir"
mkdir -p "$out_dir"

# check_run LOG STATUS: print what is wrong with one boot (nothing if all is well).
check_run() {
	local log=$1 status=$2 done_line announced figures
	grep -a '^LINUX-BENCH error' "$log" | head -n 3
	case $status in
	0) ;;
	124) echo "timeout after ${limit}s" ;;
	*) echo "QEMU exit status $status" ;;
	esac
	done_line=$(grep -a '^BENCH done n=' "$log" | tail -n 1 | tr -d '\r')
	if [ -z "$done_line" ]; then
		echo "no \"BENCH done\" line"
		return
	fi
	announced=${done_line#BENCH done n=}
	announced=${announced%% *}
	figures=$(grep -ac '^BENCH name=' "$log" || true)
	[ "$figures" -eq "$announced" ] || echo "\"$done_line\" but $figures figure lines"
	case $done_line in *" failed=0") ;; *) echo "a case failed: $(grep -a 'FAILED' "$log" | head -n 3 | tr '\n' ' ')" ;; esac
	grep -aq '^LINUX-BENCH finished' "$log" || echo "the guest did not finish"
}

failed=0
for run in $(seq 1 "$runs"); do
	log=$out_dir/run-$run.log
	echo "== bench-linux run $run/$runs ($mode, $smp CPU(s), Linux $linux_version${cmdline:+, $cmdline})" >&2
	status=0
	# printk.time=0: the module's lines start at column 0, as Ferrite's do.
	timeout -k 5 "$limit" qemu-system-x86_64 -machine pc,accel=tcg -cpu max -smp "$smp" -m 256M \
		-no-reboot -display none -serial "file:$log" \
		-kernel "$linux_image" -initrd "$initramfs" \
		-append "console=ttyS0 printk.time=0 panic=-1 bench=${BENCH:-*} $cmdline" \
		"${mode_args[@]}" < /dev/null > "$out_dir/run-$run.qemu.log" 2>&1 || status=$?
	problem=$(check_run "$log" "$status")
	grep -a '^BENCH name=' "$log" 2>/dev/null | tr -d '\r' > "$out_dir/run-$run.txt" || true
	if [ -n "$problem" ]; then
		echo "--- bench-linux run $run: $(echo "$problem" | paste -sd ';' -)" >&2
		echo "--- last lines of $log:" >&2
		tail -n 25 "$log" >&2 || true
		failed=1
	fi
done
[ $failed = 0 ] || { echo "bench-linux: FAILED (logs in $out_dir/)" >&2; exit 1; }

files=()
for run in $(seq 1 "$runs"); do files+=("$out_dir/run-$run.txt"); done
awk -v runs="$runs" -f scripts/bench-median.awk "${files[@]}" > "$out" || failed=1
[ -s "$out" ] || { echo "bench-linux.sh: no figures" >&2; failed=1; }

if [ "$mode" = icount ] && [ "$runs" -gt 1 ]; then
	for run in $(seq 2 "$runs"); do
		cmp -s "$out_dir/run-1.txt" "$out_dir/run-$run.txt" ||
			echo "bench-linux: note: icount runs 1 and $run differ (Linux's boot is not" \
				"deterministic: its random freelists and timer ticks vary); medians kept" >&2
	done
fi

unit="cycles (host TSC under TCG; they swing between boots)"
[ "$mode" = icount ] && unit="instructions (-icount shift=0)"
echo "# Linux $linux_version${cmdline:+ ($cmdline)}, $mode mode, $smp CPU(s), $runs run(s)$([ "$runs" -gt 1 ] && echo ", median per figure"); cycles_per_op counts $unit"
cat "$out"
echo "# figures in $out, raw runs in $out_dir/"
[ $failed = 0 ]
