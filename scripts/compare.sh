#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runner behind `make compare`: every slab back-end and Linux itself on
# the same figures, in the same QEMU, as one table and a few charts.
#
# usage: scripts/compare.sh BACKEND...
#
# For each BACKEND and each mode of COMPARE_MODES (default "icount tcg"):
#   make SLAB_BACKEND=BACKEND bench    BENCH_MODE=mode  (BENCH_RUNS=COMPARE_TCG_RUNS under tcg)
#   make SLAB_BACKEND=BACKEND replay   BENCH_MODE=mode  TRACE=T, for each T of COMPARE_TRACES
#                                      (default: the two committed traces, tests/traces/*.replay.gz)
# then, unless LINUX=0, for each mode:
#   make bench-linux BENCH_MODE=mode    (Linux as Debian ships it, and with init_on_alloc=0)
# and scripts/compare.py, which writes build/compare/summary.txt and the
# charts build/compare/*.png.  Every run's output is kept in
# build/compare/logs/.  A run that fails leaves its column empty and is
# named at the end; the exit status is then 1.
set -u -o pipefail

cd "$(dirname "$0")/.."
export LC_ALL=C
out=build/compare
modes=${COMPARE_MODES:-icount tcg}
tcg_runs=${COMPARE_TCG_RUNS:-3}
traces=${COMPARE_TRACES:-$(ls tests/traces/linux-*.replay.gz)}
[ $# -gt 0 ] || { echo "compare.sh: no back-end named" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/logs"
inputs=()
failed=()
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# run LABEL COMMAND...: run one step, its output in the log; say how it went.
run() {
	local label=$1 log="$out/logs/$1.log" begin=$SECONDS
	shift
	printf '== %-28s ' "$label" >&2
	if "$@" > "$log" 2>&1; then
		echo "done in $((SECONDS - begin)) s" >&2
		return 0
	fi
	echo "FAILED after $((SECONDS - begin)) s (see $log):" >&2
	tail -n 5 "$log" | sed 's/^/   /' >&2
	failed+=("$label")
	return 1
}

for backend in "$@"; do
	build=build
	[ "$backend" = slub ] || build=build/$backend
	for mode in $modes; do
		runs=1
		[ "$mode" = tcg ] && runs=$tcg_runs
		figures=$out/$backend-$mode.txt
		: > "$figures"
		run "bench-$backend-$mode" make SLAB_BACKEND="$backend" BUILD="$build" bench \
			BENCH_MODE="$mode" BENCH_RUNS="$runs" && cat "$build/bench.txt" >> "$figures"
		for trace in $traces; do
			# The trace's name goes on its lines: "REPLAY ops trace=NAME ...".
			name=$(basename "$trace" | sed 's/\.gz$//; s/\.replay$//; s/\.txt$//')
			run "replay-$name-$backend-$mode" make SLAB_BACKEND="$backend" BUILD="$build" replay \
				BENCH_MODE="$mode" TRACE="$trace" &&
				sed -E "s/^(REPLAY [a-z]+|BENCH name=[a-z_]+) /\1 trace=$name /" \
					"$build/replay.txt" >> "$figures"
		done
		inputs+=("$mode:$backend=$figures")
	done
done

if [ "${LINUX:-1}" = 0 ]; then
	echo "== Linux skipped (LINUX=0): no linux columns" >&2
else
	for mode in $modes; do
		runs=1
		[ "$mode" = tcg ] && runs=$tcg_runs
		# Linux 6.1 does not bring up a second CPU under -icount: one CPU there.
		linux_smp=${BENCH_SMP:-4}
		[ "$mode" = icount ] && linux_smp=1
		run "bench-linux-$mode" make bench-linux BENCH_MODE="$mode" BENCH_RUNS="$runs" BENCH_SMP="$linux_smp" &&
			cp build/bench-linux.txt "$out/linux-$mode.txt" &&
			cp build/bench-linux-init_on_alloc_0.txt "$out/linux-ioa0-$mode.txt"
		inputs+=("$mode:linux=$out/linux-$mode.txt" "$mode:linux-init_on_alloc=0=$out/linux-ioa0-$mode.txt")
	done
fi

title="make compare, $started: $(nproc) host CPUs, QEMU $(qemu-system-x86_64 --version | head -n 1 |
	sed 's/.*version \([^ ]*\).*/\1/'), make bench's machine (BENCH_SMP=${BENCH_SMP:-4})"
python3 scripts/compare.py --out "$out" --baseline linux --title "$title" "${inputs[@]}" ||
	failed+=("compare.py")

if [ ${#failed[@]} -gt 0 ]; then
	echo "compare: these runs failed (their columns are empty): ${failed[*]}" >&2
	exit 1
fi
echo "compare: every run passed; $out/summary.txt" >&2
