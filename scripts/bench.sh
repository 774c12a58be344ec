#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark runner behind `make bench`.
#
# Boots the benchmark ISO (command line "bench=* exit=qemu") under QEMU:
# BIOS, CD, TCG, one vCPU, 256 MiB, with a timeout.  Keeps each boot's
# serial log and BENCH lines under build/bench-runs/, writes the figures
# to build/bench.txt (one "BENCH name=... cycles_per_op=..." line each)
# and prints them.
#
# usage: scripts/bench.sh [--iso FILE] [--mode tcg|icount] [--runs N] [--timeout SECONDS]
#
# --mode tcg (default): plain TCG; cycles are host TSC cycles, which swing
#   by up to 2x between boots.  --mode icount: -icount shift=0, the guest
#   TSC counts executed instructions, so the figures are instructions per
#   op and repeat exactly.
# --runs N: boot N times; build/bench.txt holds each figure's median over
#   the boots (in icount mode the boots must also agree exactly).
# The environment variables BENCH_MODE, BENCH_RUNS and BENCH_TIMEOUT set
# the same defaults.  BENCH_SMP=N boots N CPUs (default 1 here, 4 from make bench; the SMP
# benchmarks measure nothing on one).
#
# Exit status: 0 if every boot printed "BENCH done" with as many figures
# as it announced, no benchmark failed, and QEMU reported a pass; 1 otherwise.
set -eu -o pipefail

cd "$(dirname "$0")/.."
export LC_ALL=C # awk's decimal point, whatever the user's locale
BUILD=${BUILD:-build}
iso=$BUILD/ferrite-bench.iso
mode=${BENCH_MODE:-tcg}
runs=${BENCH_RUNS:-1}
limit=${BENCH_TIMEOUT:-600}
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--mode) mode=$2; shift ;;
	--runs) runs=$2; shift ;;
	--timeout) limit=$2; shift ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $mode in
tcg) mode_args=() ;;
icount) mode_args=(-icount shift=0) ;;
*) echo "bench.sh: --mode must be tcg or icount" >&2; exit 2 ;;
esac
case $runs in
'' | *[!0-9]* | 0) echo "bench.sh: --runs must be a positive number" >&2; exit 2 ;;
esac
[ -f "$iso" ] || { echo "bench.sh: $iso not found (make $iso)" >&2; exit 2; }

out_dir=$BUILD/bench-runs
rm -rf "$out_dir"
mkdir -p "$out_dir"

# check_run LOG STATUS: print what is wrong with one boot (nothing if all is well).
check_run() {
	local log=$1 status=$2 done_line announced figures
	# bench=GLOB that selects nothing: the kernel names the benchmarks that exist.
	if grep -aq 'bench=.*: \(pattern\|malformed\|empty\|the patterns\)' "$log"; then
		grep -a -e '\] bench=' -e '\] bench: the ' "$log" | sed 's/^\[[ 0-9.]*\] //' | tr -d '\r'
		return
	fi
	case $status in
	33) ;;
	35) echo "a benchmark failed: $(grep -a 'FAILED' "$log" | head -n 3 | tr '\n' ' ')" ;;
	37) echo "kernel crashed (exit status 37)" ;;
	124) echo "timeout after ${limit}s" ;;
	0) echo "reset or triple fault (exit status 0)" ;;
	*) echo "unexpected exit status $status" ;;
	esac
	done_line=$(grep -a '^BENCH done n=' "$log" | tail -n 1 | tr -d '\r')
	if [ -z "$done_line" ]; then
		echo "no \"BENCH done\" line"
		return
	fi
	announced=${done_line#BENCH done n=}
	announced=${announced%% *}
	figures=$(grep -ac '^BENCH name=' "$log" || true)
	[ "$figures" -eq "$announced" ] ||
		echo "\"$done_line\" but $figures figure lines"
}

failed=0
for run in $(seq 1 "$runs"); do
	log=$out_dir/run-$run.log
	echo "== bench run $run/$runs ($mode)" >&2
	status=0
	# In its own process group without the terminal: on timeout, QEMU dies too.
	timeout -k 5 "$limit" scripts/qemu.sh --iso "$iso" --firmware bios --media cd \
		--mem 256M --accel tcg --smp "${BENCH_SMP:-1}" --exit-device --serial-log "$log" -- "${mode_args[@]}" \
		< /dev/null > "$out_dir/run-$run.qemu.log" 2>&1 || status=$?
	problem=$(check_run "$log" "$status")
	grep -a '^BENCH name=' "$log" 2>/dev/null | tr -d '\r' > "$out_dir/run-$run.txt" || true
	if [ -n "$problem" ]; then
		echo "--- bench run $run: $(echo "$problem" | paste -sd ';' -)" >&2
		echo "--- last lines of $log:" >&2
		tail -n 25 "$log" >&2 || true
		failed=1
	fi
done
[ $failed = 0 ] || { echo "bench: FAILED (logs in $out_dir/)" >&2; exit 1; }

# Median of each figure over the runs, in the order the first run printed them.
files=()
for run in $(seq 1 "$runs"); do files+=("$out_dir/run-$run.txt"); done
awk -v runs="$runs" -f scripts/bench-median.awk "${files[@]}" > "$BUILD/bench.txt" || failed=1

if [ ! -s "$BUILD/bench.txt" ]; then
	echo "bench.sh: no figures: did the bench= pattern match any case?" >&2
	failed=1
fi

if [ "$mode" = icount ] && [ "$runs" -gt 1 ]; then
	for run in $(seq 2 "$runs"); do
		if ! cmp -s "$out_dir/run-1.txt" "$out_dir/run-$run.txt"; then
			echo "bench.sh: icount runs 1 and $run differ (see $out_dir/):" >&2
			diff "$out_dir/run-1.txt" "$out_dir/run-$run.txt" >&2 || true
			failed=1
		fi
	done
	[ $failed = 1 ] || echo "icount: all $runs runs identical" >&2
fi

unit="cycles (host TSC under TCG; they swing between boots)"
[ "$mode" = icount ] && unit="instructions (-icount shift=0)"
backend=$(grep -a -o -m 1 'slab: back-end [a-z0-9_]*' "$out_dir/run-1.log" 2>/dev/null | cut -d' ' -f3)
echo "# $mode mode, $runs run(s)$([ "$runs" -gt 1 ] && echo ", median per figure"); cycles_per_op counts $unit"
echo "# slab back-end: ${backend:-unknown} (make bench SLAB_BACKEND=NAME)"
cat "$BUILD/bench.txt"
if [ "$runs" -gt 1 ]; then
	echo "# spread over the runs (min .. max):"
	awk '{ key = $0; sub(/ cycles_per_op=[^ ]*$/, "", key); value = $NF; sub(/^cycles_per_op=/, "", value)
	       value += 0; if (!(key in low)) { order[++keys] = key; low[key] = high[key] = value }
	       if (value < low[key]) low[key] = value; if (value > high[key]) high[key] = value }
	     END { for (k = 1; k <= keys; k++) printf "#   %s: %.2f .. %.2f\n", order[k], low[order[k]], high[order[k]] }' \
		"${files[@]}"
fi
echo "# figures in $BUILD/bench.txt, raw runs in $out_dir/"
[ $failed = 0 ]
