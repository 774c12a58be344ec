#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runner behind `make replay`: boots an ISO whose kernel replays the
# trace module (command line "replay[=N] exit=qemu"), keeps the serial log,
# writes the REPLAY and BENCH lines to build/replay.txt and prints them.
#
# usage: scripts/replay.sh --iso FILE [--mode tcg|icount] [--mem SIZE] [--timeout SECONDS]
#
# --mode tcg (default): plain TCG, cycles are host TSC cycles (they swing
#   between boots); icount: -icount shift=0, cycles count instructions.
#
# Exit status: 0 if the kernel printed "REPLAY done result=pass" and QEMU
# reported a pass; 1 otherwise (the last lines of the log are shown).
set -eu -o pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
iso=$BUILD/ferrite-replay.iso mode=${BENCH_MODE:-tcg} mem=512M limit=${REPLAY_TIMEOUT:-1800}
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--mode) mode=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) limit=$2; shift ;;
	*) echo "replay.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $mode in
tcg) mode_args=() ;;
icount) mode_args=(-icount shift=0) ;;
*) echo "replay.sh: --mode must be tcg or icount" >&2; exit 2 ;;
esac
[ -f "$iso" ] || { echo "replay.sh: $iso not found" >&2; exit 2; }

log=$BUILD/replay.log
rm -f "$log"
echo "== replay ($mode, $mem)" >&2
status=0
timeout -k 5 "$limit" scripts/qemu.sh --iso "$iso" --firmware bios --media cd --mem "$mem" \
	--accel tcg --smp 1 --exit-device --serial-log "$log" -- "${mode_args[@]}" \
	< /dev/null > "$BUILD/replay.qemu.log" 2>&1 || status=$?
grep -a -e '^REPLAY ' -e '^BENCH name=replay' "$log" 2>/dev/null | tr -d '\r' > "$BUILD/replay.txt" || true
problem=""
case $status in
33) ;;
35) problem="the replay failed" ;;
37) problem="kernel crashed (exit status 37)" ;;
124) problem="timeout after ${limit}s" ;;
*) problem="exit status $status" ;;
esac
grep -q '^REPLAY done result=pass' "$BUILD/replay.txt" || problem="${problem:-no \"REPLAY done result=pass\" line}"
unit="cycles (host TSC under TCG; they swing between boots)"
[ "$mode" = icount ] && unit="instructions (-icount shift=0)"
echo "# $mode mode; cycles_per_op counts $unit"
cat "$BUILD/replay.txt"
if [ -n "$problem" ]; then
	echo "replay: FAILED: $problem; problems reported:" >&2
	grep -a 'replay' "$log" | grep -av '^REPLAY \|^BENCH ' | tail -n 10 >&2 || true
	echo "--- last lines of $log:" >&2
	tail -n 15 "$log" >&2 || true
	exit 1
fi
echo "# figures in $BUILD/replay.txt, serial log $log"
