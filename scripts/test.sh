#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test harness behind `make test`.
#
# Runs the host tests and replays the fuzz corpora, then boots the test
# kernel in every configuration of run_default below, each with a timeout,
# and checks its KTAP output (scripts/check-ktap.awk): a run passes only if
# it printed a summary "N passed, 0 failed" whose counts agree with its
# "ok"/"not ok" lines, ran exactly the suites and cases that
# tests/ktest.manifest lists for it (host or kernel, as its ktest=
# selection keeps them), and the emulator reported a pass.  Every log is
# kept under build/logs/.  The last line is "N passed, N failed" over
# everything; a run that crashed, timed out, printed no summary or broke
# the manifest counts as one more failure.
#
# usage: scripts/test.sh [--kernel-only] [--matrix] [--only NAME-GLOB]
#
# --matrix runs the long boot matrix instead (make test-matrix): memory
# sizes from 32 MiB to 64 GiB, several CPU models, BIOS and UEFI.
#
# SLAB_BACKEND=NAME (make test SLAB_BACKEND=NAME) tests a kernel and host
# tests built with that slab back-end, in build/NAME/.  The back-ends in
# ALSO_SLAB_BACKENDS (plain make test: every other registered one) are
# covered too, each built in $BUILD/NAME/: its host slab suites under
# ASan/UBSan and one boot on 4 CPUs of the kernel suites whose outcome
# depends on the slab back-end (runs NAME@BACKEND; see SLAB_KTEST); the
# matrix boots each with every suite on 1, 2, 4 and 8 CPUs and runs its
# threaded suites under ThreadSanitizer.
#
# The independent steps run side by side, as many CPU-bound ones at once
# as there are cores (run_queued); their output and results are reported
# in a fixed order.  --matrix runs its boots one after another.
#
# The end of the output is a table of the time each step took (wall
# clock, the CPU time of what it ran, and when it started), then one line
# per run.
#
# Needs no terminal: emulators run under timeout(1) in their own process
# group with standard input from /dev/null, and are killed with everything
# they started when the time is up or the harness is interrupted.
set -uo pipefail

cd "$(dirname "$0")/.."
export LC_ALL=C
# The slab back-end under test (make test SLAB_BACKEND=NAME) and its build
# directory, as the Makefile names it; every make below builds that one.
SLAB_BACKEND=${SLAB_BACKEND:-slub}
if [ "$SLAB_BACKEND" = slub ]; then BUILD=${BUILD:-build}; else BUILD=${BUILD:-build/$SLAB_BACKEND}; fi
if [ -z "${ALSO_SLAB_BACKENDS+set}" ]; then
	ALSO_SLAB_BACKENDS=""
	[ "$SLAB_BACKEND" != slub ] || ALSO_SLAB_BACKENDS=$(make -s slab-backends | tr ' ' '\n' | grep -vx slub)
fi
export SLAB_BACKEND BUILD
# Every build below uses every core.
jobs=-j$(nproc)
# The back-end the manifest check expects of the run being judged.
run_backend=$SLAB_BACKEND
LOGS=$BUILD/logs
MANIFEST=tests/ktest.manifest
# The ktest= selection of each test ISO (the Makefile's ferrite-test-*.iso).
QEMU_KTEST='*'
BOCHS_KTEST='*,-vmap_area'
# The ktest= selection of make test's boots of the other slab back-ends
# (ferrite-test-slab.iso): the suites whose outcome depends on the slab
# back-end (the conformance suites, the allocators stressed on every CPU,
# the replayed trace, vmalloc: kvmalloc and the vmap area caches), and the
# back-end's own (kernel@NAME in the manifest) after them.  Every other
# suite runs the same code whatever the back-end, and runs in the boots of
# the back-end under test; make test-matrix and make test SLAB_BACKEND=NAME
# boot a back-end with all.
SLAB_KTEST='slab,slab_smp,mm_stress,trace_replay,vmalloc'
mkdir -p "$LOGS"

kernel_only=0 only="*" matrix=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-only) kernel_only=1 ;;
	--matrix) matrix=1; kernel_only=1 ;;
	--only) only=$2; shift ;;
	*) echo "test.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

harness_start=$EPOCHREALTIME
total_passed=0 total_failed=0
declare -a summary_lines=()

# run_limited SECONDS COMMAND...: COMMAND under timeout(1) in its own
# process group, without the terminal, killed with all its children after
# SECONDS or when the harness is interrupted.  Return: COMMAND's status,
# 124 on timeout.
running=""
run_limited() {
	local limit=$1 status=0
	shift
	timeout -k 5 "$limit" "$@" < /dev/null &
	running=$!
	wait "$running" || status=$?
	running=""
	return $status
}
trap '[ -z "$running" ] || kill -TERM "$running" 2>/dev/null; stop_steps; exit 130' INT
trap '[ -z "$running" ] || kill -TERM "$running" 2>/dev/null; stop_steps; exit 143' TERM HUP

record() { # record NAME PASSED FAILED NOTE
	total_passed=$((total_passed + $2))
	total_failed=$((total_failed + $3))
	local verdict=PASS
	[ "$3" -eq 0 ] || verdict=FAIL
	summary_lines+=("$(printf '%-22s %s  %4d passed, %3d failed  %s' "$1" "$verdict" "$2" "$3" "$4")")
}

# timed STEP COMMAND...: run COMMAND (a function of this script), and add
# its wall-clock and CPU seconds (of the processes it waited for) to the
# table of steps printed at the end, if it recorded a result or is a
# build (build, build@BACKEND).  Return: COMMAND's status.
declare -a timing_lines=()
timed() {
	local step=$1 start cpu_start status=0 results=${#summary_lines[@]}
	shift
	start=$EPOCHREALTIME cpu_start=$(children_cpu)
	"$@" || status=$?
	[[ $step == build* ]] || [ ${#summary_lines[@]} -gt "$results" ] || return $status
	timing_lines+=("$(awk -v step="$step" -v start="$start" -v end="$EPOCHREALTIME" \
		-v cpu="$(children_cpu)" -v cpu_start="$cpu_start" -v harness_start="$harness_start" \
		'BEGIN { printf "%-22s %6.1f s wall %6.1f s CPU  from %5.1f s", step, end - start, cpu - cpu_start,
			start - harness_start }')")
	return $status
}

# children_cpu: the user and system seconds of every process shell_pid
# (the harness, or the subshell running a step) has waited for so far
# (cutime and cstime, fields 16 and 17 of /proc/PID/stat, in clock ticks).
shell_pid=$$
clock_ticks=$(getconf CLK_TCK)
children_cpu() {
	local stat
	read -r stat < /proc/$shell_pid/stat
	awk -v ticks="$clock_ticks" '{ printf "%.2f", ($14 + $15) / ticks }' <<< "${stat##*) }" 2>/dev/null ||
		echo 0
}

# check_ktap LOG RUN SELECTION: print "PASSED FAILED", then one line per
# problem with the KTAP in LOG (see scripts/check-ktap.awk).  Suites that
# EXTRA_KTESTS (make test EXTRA_KTESTS=...) compiled in need no manifest line.
check_ktap() {
	local extra=0
	[ -z "${EXTRA_KTESTS:-}" ] || extra=1
	awk -v run="$2" -v selection="$3" -v extra=$extra -v backend="$run_backend" -f scripts/check-ktap.awk "$MANIFEST" "$1"
}

# check_selection LOG SELECTION: the command line the kernel printed has
# ktest=SELECTION, the selection the manifest check applied.
check_selection() {
	local line value
	line=$(grep -a -m 1 'Command line:' "$1" | tr -d '\r')
	[ -n "$line" ] || return 0 # no boot log at all: reported as a missing summary
	value=$(printf '%s\n' "${line#*Command line:}" | tr ' ' '\n' | sed -n 's/^ktest=//p' | tail -n 1)
	[ "$value" = "$2" ] ||
		echo "the ISO's command line has ktest=$value, scripts/test.sh expects ktest=$2"
}

# judge NAME LOG STATUS EXPECTED_STATUS RUN SELECTION [EMULATOR_LOG]: record
# one run's outcome.  RUN is host or kernel, SELECTION its ktest= list.
judge() {
	local name=$1 log=$2 status=$3 expected=$4 run=$5 selection=$6 emulator_log=${7:-}
	local output passed failed problems exit_problem="" note count
	[ -f "$log" ] || : > "$log" # the emulator did not even start
	output=$(check_ktap "$log" "$run" "$selection")
	read -r passed failed <<< "$(head -n 1 <<< "$output")"
	passed=${passed:-0} failed=${failed:-0}
	problems=$(tail -n +2 <<< "$output")
	[ "$run" = host ] || problems=$(printf '%s\n%s' "$(check_selection "$log" "$selection")" "$problems")
	problems=$(sed '/^$/d' <<< "$problems")
	case $status in
	"$expected") [ "$failed" -eq 0 ] || exit_problem="cases failed but the run reported a pass" ;;
	35) [ "$failed" -gt 0 ] || exit_problem="the run reported failure but no case failed" ;;
	124) exit_problem="timeout" ;;
	37) exit_problem="kernel crashed (exit status 37)" ;;
	0) exit_problem="reset or triple fault (exit status 0)" ;;
	*) exit_problem="unexpected exit status $status" ;;
	esac
	[ -z "$exit_problem" ] || problems=$(printf '%s\n%s' "$exit_problem" "$problems" | sed '/^$/d')
	note="log: $log"
	if [ -n "$problems" ]; then
		count=$(wc -l <<< "$problems")
		note="$(head -n 1 <<< "$problems")$([ "$count" -gt 1 ] && echo " (+$((count - 1)) more)"); $note"
		failed=$((failed + 1))
		echo "--- $name:" >&2
		sed 's/^/    /' <<< "$problems" >&2
		echo "--- last lines of $log:" >&2
		tail -n 25 "$log" >&2
		if [ -n "$emulator_log" ] && [ -n "$exit_problem" ]; then
			echo "--- the emulator's output ($emulator_log):" >&2
			tail -n 40 "$emulator_log" >&2
		fi
	fi
	record "$name" "$passed" "$failed" "$note"
}

selected() { [[ $1 == $only ]]; }

run_host() {
	local log=$LOGS/host.log status
	echo "== host tests (ASan + UBSan)"
	if make -s "$jobs" "$BUILD/host/ktest-host" > "$log" 2>&1; then
		run_limited 300 "$BUILD/host/ktest-host" >> "$log" 2>&1
		status=$?
	else
		echo "host tests did not build" >> "$log"
		status=2
	fi
	# The runner exits 1 when a case failed; anything else is a crash.
	[ $status -eq 0 ] && status=33
	[ $status -eq 1 ] && status=35
	judge host "$log" "$status" 33 host ""
	[ $status = 2 ] || check_host_selection
}

# The threaded host suites again, built with ThreadSanitizer: a data race
# is a failure even when every expectation held.
run_host_tsan() {
	local log=$LOGS/host-tsan.log status
	echo "== host tests (ThreadSanitizer, threaded suites)"
	make -s "$jobs" test-host-tsan > "$log" 2>&1
	status=$?
	[ $status -eq 0 ] && status=33 || status=35
	judge host-tsan "$log" "$status" 33 host "$(make -s host-tsan-suites)"
}

# A ktest= selection that selects nothing must fail, naming the suites.
check_host_selection() {
	local log=$LOGS/host-selection.log pattern problems="" status
	: > "$log"
	for pattern in nosuchsuite '[' 'ktest,-ktest'; do
		status=0
		echo "\$ ktest-host '$pattern'" >> "$log"
		"$BUILD/host/ktest-host" "$pattern" >> "$log" 2>&1 || status=$?
		[ $status -eq 1 ] || problems="$problems; ktest-host '$pattern' exited with $status, not 1"
	done
	grep -q '^ktest=nosuchsuite: pattern matches nothing' "$log" ||
		problems="$problems; no error for ktest=nosuchsuite"
	grep -q '^ktest=\[: malformed pattern' "$log" || problems="$problems; no error for ktest=["
	[ "$(grep -c '^ktest: the [0-9]* suites built in: cmdline' "$log")" -eq 3 ] ||
		problems="$problems; the suites built in were not listed three times"
	! grep -q '^KTAP version' "$log" || problems="$problems; a selection of nothing ran tests"
	if [ -n "$problems" ]; then
		echo "--- host-selection: ${problems#; } (see $log)" >&2
		record host-selection 0 1 "${problems#; }; log: $log"
	else
		record host-selection 3 0 "nosuchsuite, [ and ktest,-ktest rejected; log: $log"
	fi
}

# The scripts' own unit tests (make test-scripts: the trace converter, compare.py).
run_scripts() {
	local log=$LOGS/scripts.log status ran
	echo "== scripts (python unit tests)"
	make -s test-scripts > "$log" 2>&1
	status=$?
	ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log")
	if [ $status -eq 0 ] && [ -n "$ran" ] && grep -q '^OK' "$log"; then
		record scripts "$ran" 0 "log: $log"
	else
		echo "--- scripts: unit tests failed (exit status $status); last lines of $log:" >&2
		tail -n 30 "$log" >&2
		record scripts "${ran:-0}" 1 "$(grep -m 1 '^FAILED' "$log" || echo "exit status $status"); log: $log"
	fi
}

# Every committed fuzz input, once, through its target (make fuzz-replay).
run_fuzz_replay() {
	local target log status output
	for target in $(make -s fuzz-targets); do
		selected "fuzz-$target" || continue
		log=$LOGS/fuzz-replay-$target.log
		echo "== fuzz-$target (the committed corpus, ASan + UBSan)"
		if make -s "$jobs" "$BUILD/fuzz-replay/fuzz-replay-$target" > "$log" 2>&1; then
			run_limited 120 "$BUILD/fuzz-replay/fuzz-replay-$target" \
				"tests/host/fuzz_corpus/$target" >> "$log" 2>&1
			status=$?
		else
			echo "fuzz-replay-$target did not build" >> "$log"
			status=2
		fi
		output=$(grep '^replayed [0-9]* inputs' "$log")
		if [ $status -eq 0 ] && [ -n "$output" ]; then
			record "fuzz-$target" "$(echo "$output" | cut -d' ' -f2)" 0 "corpus tests/host/fuzz_corpus/$target"
		else
			echo "--- fuzz-$target: replay failed (exit status $status); last lines of $log:" >&2
			tail -n 30 "$log" >&2
			record "fuzz-$target" 0 1 "$(grep -m 1 'this input failed' "$log" || echo "exit status $status"); log: $log"
		fi
	done
}

# run_qemu NAME TIMEOUT qemu.sh-args...
run_qemu() {
	local name=$1 limit=$2 log=$LOGS/$1.log status
	shift 2
	selected "$name" || return 0
	echo "== $name"
	rm -f "$log" # never judge an earlier run's log
	run_limited "$limit" scripts/qemu.sh --iso "${TEST_ISO:-$BUILD/ferrite-test-qemu.iso}" \
		--exit-device --serial-log "$log" "$@" > "$LOGS/$name.qemu.log" 2>&1
	status=$?
	judge "$name" "$log" "$status" 33 kernel "${TEST_KTEST:-$QEMU_KTEST}" "$LOGS/$name.qemu.log"
}

# A command line with a selection of nothing and bad option values: the
# boot must fail, say what was wrong with each, and run nothing.
run_bad_cmdline() {
	local name=bios-bad-cmdline log=$LOGS/bios-bad-cmdline.log status problems="" expect
	selected "$name" || return 0
	echo "== $name"
	rm -f "$log"
	run_limited 60 scripts/qemu.sh --iso "$BUILD/ferrite-test-badcmdline.iso" --exit-device \
		--serial-log "$log" --firmware bios > "$LOGS/$name.qemu.log" 2>&1
	status=$?
	[ $status -eq 35 ] || problems="exit status $status, not 35 (failure)"
	for expect in 'ktest=nosuchsuite: pattern matches nothing' 'ktest: the [0-9]* suites built in: ' \
		'bench=nosuch: pattern matches nothing' 'bench: the [0-9]* benchmarks built in: ' \
		'page_poison=banana: expected 1 or 0' 'slab_debug=QQ: expected letters' \
		'crash_on_cpu=banana: expected the number of an online CPU'; do
		grep -aq "$expect" "$log" || problems="$problems; no \"$expect\" line"
	done
	! grep -aq 'unknown command-line parameter' "$log" ||
		problems="$problems; a known option was reported as unknown"
	! grep -aq '^KTAP version\|^BENCH start' "$log" || problems="$problems; tests or benchmarks ran"
	if [ -n "$problems" ]; then
		echo "--- $name: ${problems#; }; last lines of $log:" >&2
		tail -n 25 "$log" >&2
		record "$name" 0 1 "${problems#; }; log: $log"
	else
		record "$name" 1 0 "nothing selected and bad values reported; log: $log"
	fi
}

# run_crash_other_cpu: CPU 1 of 4 panics (crash_on_cpu=1): the run must end
# as a crash, and CPUs 0, 2 and 3 must each print their backtrace.
run_crash_other_cpu() {
	local name=bios-crash-cpu1 log=$LOGS/bios-crash-cpu1.log status problems="" cpu
	selected "$name" || return 0
	echo "== $name"
	rm -f "$log"
	if ! make -s "$jobs" "$BUILD/ferrite-test-crash.iso" > "$LOGS/$name.build.log" 2>&1; then
		record "$name" 0 1 "build failed; see $LOGS/$name.build.log"
		return
	fi
	run_limited 60 scripts/qemu.sh --iso "$BUILD/ferrite-test-crash.iso" --exit-device \
		--serial-log "$log" --firmware bios --smp 4 > "$LOGS/$name.qemu.log" 2>&1
	status=$?
	[ $status -eq 37 ] || problems="exit status $status, not 37 (a crash)"
	grep -aq 'Kernel panic on CPU 1: crash_on_cpu=1: crashing on purpose' "$log" ||
		problems="$problems; no panic line from CPU 1"
	grep -aq 'smp: CPU 1 stopping 3 other CPU(s) with an NMI' "$log" ||
		problems="$problems; CPU 1 did not stop the 3 others"
	for cpu in 0 2 3; do
		grep -aA1 "NMI backtrace for cpu $cpu (stopped)" "$log" | grep -aq '^.*RIP: ffffffff8' ||
			problems="$problems; no backtrace with a RIP from CPU $cpu"
	done
	grep -aq 'end Kernel panic: crash_on_cpu=1' "$log" || problems="$problems; the panic did not end"
	if [ -n "$problems" ]; then
		echo "--- $name: ${problems#; }; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		record "$name" 0 1 "${problems#; }; log: $log"
	else
		record "$name" 1 0 "CPU 1 crashed; CPUs 0, 2, 3 stopped with backtraces; log: $log"
	fi
}

# check_memory NAME MiB SPLIT: the printed map accounts for the RAM QEMU was
# given.  SPLIT is "high" when the machine remaps part of it above 4 GiB
# (pc above 3.5 GiB; q35 from 2.75 GiB on), else "low".
check_memory() {
	local name=$1 mib=$2 split=$3 log=$LOGS/$1.log usable_kib top problem=""
	usable_kib=$(sed -n 's/.*Memory: \([0-9]*\) KiB usable.*/\1/p' "$log" | tail -n 1)
	top=$(sed -n 's/.*top of RAM \(0x[0-9a-f]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$usable_kib" ] || [ -z "$top" ]; then
		problem="no memory summary"
	else
		local ram_kib=$((mib * 1024)) top_kib=$((top / 1024))
		# Missing: the first MiB, the kernel and boot info, firmware ranges
		# (OVMF keeps several MiB of a 64 MiB guest).
		[ "$usable_kib" -le "$ram_kib" ] || problem="more usable RAM than installed"
		[ "$usable_kib" -ge $((ram_kib * 90 / 100 - 4096)) ] || problem="usable RAM too small"
		if [ "$split" = high ]; then
			# RAM beyond the PCI hole is remapped above 4 GiB.
			[ "$top_kib" -gt $((4 * 1024 * 1024)) ] || problem="no RAM above 4 GiB"
			[ "$top_kib" -le $(((mib + 2048) * 1024)) ] || problem="top of RAM too high"
		else
			[ "$top_kib" -le $((mib * 1024)) ] || problem="top of RAM above installed RAM"
		fi
	fi
	if [ -n "$problem" ]; then
		echo "--- $name: memory map check: $problem (usable ${usable_kib:-?} KiB, top ${top:-?})" >&2
		record "$name-firmware-map" 0 1 "$problem"
	else
		record "$name-firmware-map" 1 0 "usable $usable_kib KiB, top $top"
	fi
}

run_memory() { # run_memory NAME MiB MACHINE SPLIT [FIRMWARE [qemu.sh args...]]
	local name=$1 mib=$2 machine=$3 split=$4 firmware=${5:-bios} size=$2M
	shift 5 2>/dev/null || shift $#
	selected "$name" || return 0
	[ $((mib % 1024)) -eq 0 ] && size=$((mib / 1024))G
	run_qemu "$name" 300 --firmware "$firmware" --mem "$size" --machine "$machine" "$@"
	check_memory "$name" "$mib" "$split"
}

run_screen() {
	local name=uefi-no-serial log=$LOGS/uefi-no-serial.debugcon.log
	selected "$name" || return 0
	echo "== $name (screen only)"
	rm -f "$log" "$BUILD/screen-uefi.ppm"
	run_limited 180 scripts/screen-check.sh --iso "$BUILD/ferrite-test-screen.iso" \
		--debugcon-log "$log" --screendump "$BUILD/screen-uefi.ppm" > "$LOGS/$name.check.log" 2>&1
	local status=$?
	if [ $status -eq 0 ]; then
		record "$name" 1 0 "screen: $BUILD/screen-uefi.ppm"
	else
		echo "--- $name: screen check failed:" >&2
		tail -n 20 "$LOGS/$name.check.log" >&2
		record "$name" 0 1 "see $LOGS/$name.check.log"
	fi
}

# run_monitor MODE: the monitor driven over the serial port (MODE serial) or
# the PS/2 keyboard with a screendump read back (MODE keyboard, under UEFI);
# scripts/monitor-check.py has the script of commands and expected answers.
run_monitor() {
	local name=monitor-$1 log=$LOGS/monitor-$1.log status passed
	selected "$name" || return 0
	echo "== $name"
	if ! make -s "$jobs" "$BUILD/ferrite-test-monitor.iso" > "$LOGS/$name.build.log" 2>&1; then
		record "$name" 0 1 "the monitor ISO did not build"
		return
	fi
	run_limited 120 scripts/monitor-check.py "$1" --iso "$BUILD/ferrite-test-monitor.iso" \
		--log "$log" --screendump "$BUILD/monitor-keyboard.ppm" --timeout 60 > "$LOGS/$name.check.log" 2>&1
	status=$?
	passed=$(sed -n 's/.*: \([0-9]*\) checks passed$/\1/p' "$LOGS/$name.check.log")
	if [ $status -eq 0 ] && [ -n "$passed" ]; then
		record "$name" "$passed" 0 "transcript: $log"
	else
		echo "--- $name failed:" >&2
		tail -n 20 "$LOGS/$name.check.log" >&2
		record "$name" 0 1 "see $LOGS/$name.check.log"
	fi
}

run_bochs() {
	local name=bochs-bios-cd log=$LOGS/bochs-bios-cd.log status attempt
	selected "$name" || return 0
	echo "== $name"
	rm -f "$log" "$LOGS/$name.debugcon.log"
	for attempt in 1 2; do
		run_limited 600 scripts/bochs.sh --iso "$BUILD/ferrite-test-bochs.iso" \
			--serial-log "$log" --debugcon-log "$LOGS/$name.debugcon.log" > "$LOGS/$name.bochs.log" 2>&1
		status=$?
		# Bochs 2.7 itself now and then dies of a segmentation fault; that is
		# the emulator's failure, not the kernel's: run it once more.
		grep -q "killed by signal SIGSEGV" "$LOGS/$name.bochs.log" || break
		echo "   Bochs crashed (segmentation fault in the emulator); running it again" >&2
	done
	if [ $status -eq 0 ]; then
		if grep -aq '^pass' "$LOGS/$name.debugcon.log" 2>/dev/null; then
			status=33
		else
			status=35
		fi
	fi
	judge "$name" "$log" "$status" 33 kernel "$BOCHS_KTEST" "$LOGS/$name.bochs.log"
}

# The emulators, gdb (the gdb-commands run) and clang for the matrix's
# clang build: installed if missing.
deps="run bochs debug"
[ $matrix = 0 ] || deps="$deps clang"
# shellcheck disable=SC2086
scripts/deps.sh $deps || { echo "test.sh: missing tools (scripts/deps.sh $deps)" >&2; exit 1; }

# build_test_isos: the ISOs of the boots, before any boot starts (the
# boots run side by side; none may find its ISO being rebuilt).  The steps
# make their own ISO again, which finds it up to date.
build_test_isos() {
	local isos=(qemu bochs screen badcmdline)
	if [ $matrix = 0 ]; then
		selected bios-crash-cpu1 && isos+=(crash)
		selected gdb-commands && isos+=(gdb)
		{ selected monitor-serial || selected monitor-keyboard; } && isos+=(monitor)
	fi
	isos=("${isos[@]/%/.iso}")
	make -s "$jobs" "${isos[@]/#/$BUILD/ferrite-test-}"
}
timed build build_test_isos || {
	echo "test.sh: build failed" >&2
	exit 1
}

# run_gdb: the gdb commands against the kernel's own dumps (scripts/gdb-check.sh):
# one result per check.
run_gdb() {
	local name=gdb-commands out=$LOGS/gdb-commands status summary passed=0 failed=0
	selected "$name" || return 0
	echo "== $name (gdb's view of the allocators against the kernel's dumps)"
	if ! make -s "$jobs" "$BUILD/ferrite-test-gdb.iso" > "$LOGS/$name.build.log" 2>&1; then
		record "$name" 0 1 "build failed; see $LOGS/$name.build.log"
		return
	fi
	run_limited 120 scripts/gdb-check.sh --iso "$BUILD/ferrite-test-gdb.iso" \
		--elf "$BUILD/kernel.elf" --out "$out" > "$LOGS/$name.check.log" 2>&1
	status=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGS/$name.check.log" | tail -n 1)
	if [ -n "$summary" ]; then
		passed=${summary%% passed*}
		failed=${summary#*, }
		failed=${failed%% failed*}
	fi
	[ $status -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
	if [ "$failed" -gt 0 ]; then
		echo "--- $name: failed checks (logs in $out):" >&2
		grep -v '^ok ' "$LOGS/$name.check.log" | tail -n 25 >&2
	fi
	record "$name" "$passed" "$failed" "see $LOGS/$name.check.log"
}

# check_cpus NAME N: the boot brought up the N CPUs it was given
# ("smp: Brought up 1 node, N CPUs", Linux's words; "1 CPU" for one).
check_cpus() {
	local name=$1 want=$2 log=$LOGS/$1.log line expected
	expected="smp: Brought up 1 node, $want CPU"
	[ "$want" -ne 1 ] && expected="${expected}s"
	line=$(grep -a -o 'smp: Brought up 1 node, [0-9]* CPUs\{0,1\}' "$log" 2>/dev/null | tail -n 1)
	if [ "$line" = "$expected" ]; then
		record "$name-cpus" 1 0 "$line"
	else
		echo "--- $name: expected \"$expected\", found \"${line:-nothing}\"" >&2
		record "$name-cpus" 0 1 "expected $want CPUs; found: ${line:-no smp line}"
	fi
}

# run_smp NAME CPUS TIMEOUT qemu.sh-args...: run_qemu with -smp CPUS, then check_cpus.
run_smp() {
	local name=$1 cpus=$2 limit=$3
	shift 3
	selected "$name" || return 0
	run_qemu "$name" "$limit" --smp "$cpus" "$@"
	check_cpus "$name" "$cpus"
}

# run_default: make test's steps, queued in the order of the report and
# run side by side (run_queued).  The first number of each is its rank:
# the longest steps start first, so that the last ones to end are short;
# the second is the cores it keeps busy (0: monitor-keyboard mostly waits
# for OVMF and the screen).
run_default() {
	local backend after
	[ $kernel_only = 1 ] || { selected host && queue_step 1 1 "" host run_host; }
	[ $kernel_only = 1 ] || { selected host-tsan && queue_step 2 1 "" host-tsan run_host_tsan; }
	[ $kernel_only = 1 ] || queue_step 9 1 "" fuzz-replay run_fuzz_replay
	[ $kernel_only = 1 ] || { selected scripts && queue_step 9 1 "" scripts run_scripts; }
	queue_step 7 1 "" bios-cd run_smp bios-cd 2 90 --firmware bios --media cd
	queue_step 6 1 "" bios-usb run_smp bios-usb 4 90 --firmware bios --media usb
	queue_step 3 1 "" uefi-cd run_smp uefi-cd 4 180 --firmware uefi --media cd
	queue_step 5 1 "" uefi-usb run_smp uefi-usb 2 180 --firmware uefi --media usb
	# The uniprocessor boot.
	queue_step 7 1 "" bios-32M run_memory_cpus bios-32M 1 32 pc low
	queue_step 6 1 "" bios-3583M-q35 run_memory_cpus bios-3583M-q35 4 3583 q35 high bios --smp 4
	queue_step 9 1 "" bios-bad-cmdline run_bad_cmdline
	queue_step 9 1 "" bios-crash-cpu1 run_crash_other_cpu
	queue_step 5 1 "" uefi-no-serial run_screen
	queue_step 8 1 "" gdb-commands run_gdb
	queue_step 8 1 "" monitor-serial run_monitor serial
	queue_step 0 0 "" monitor-keyboard run_monitor keyboard
	queue_step 0 1 "" bochs-bios-cd run_bochs_cpus
	for backend in $ALSO_SLAB_BACKENDS; do
		after=""
		backend_build_wanted "$backend" && { queue_step 4 1 "" "build@$backend" build_backend "$backend"; after=build@$backend; }
		if [ $kernel_only = 0 ] && selected "host@$backend"; then
			queue_step 9 1 "$after" "host@$backend" run_backend_host "$backend"
			after=host@$backend
		fi
		queue_step 8 1 "$after" "slab-smp4@$backend" run_backend_boots "$backend" slab 4
	done
	run_queued
}

# run_memory_cpus NAME CPUS run_memory-args...: run_memory, then check_cpus.
run_memory_cpus() {
	local name=$1 cpus=$2
	shift 2
	selected "$name" || return 0
	run_memory "$name" "$@"
	check_cpus "$name" "$cpus"
}

run_bochs_cpus() {
	selected bochs-bios-cd || return 0
	run_bochs
	check_cpus bochs-bios-cd 2
}

# ---- the steps side by side --------------------------------------------------
# run_default queues its steps (queue_step); run_queued runs each in a
# subshell of its own, at most as many at once as there are cores (steps
# of weight 0 aside), its output kept in files under $LOGS/steps/ and its
# results (record, timed) handed back in files there.  Output, results and
# timing lines are reported in the order the steps were queued, each step
# as soon as it and every step before it have ended, whatever order they
# end in.  Each step has its own logs, sockets (private temporary
# directories) and screendump; the ISOs are all built before the first
# starts; only one Bochs runs at a time machine-wide (scripts/bochs.sh).
slots=$(nproc)
step_dir=$LOGS/steps
declare -a queued_rank=() queued_weight=() queued_after=() queued_name=() queued_command=()
declare -A step_pid=()

# queue_step RANK WEIGHT AFTER STEP COMMAND...: queue "timed STEP COMMAND...".
# Steps start in the order of RANK (the lower first; queued order among
# equals); WEIGHT is the cores it keeps busy; AFTER is the step that must
# have ended before it starts ("" for none; a step not queued counts as ended).
queue_step() {
	queued_rank+=("$1") queued_weight+=("$2") queued_after+=("$3") queued_name+=("$4")
	shift 3
	queued_command+=("$(printf '%q ' timed "$@")")
}

# start_step INDEX: run queued step INDEX in the background.  It writes
# INDEX.out and INDEX.err (its standard output and error), INDEX.summary
# and INDEX.timing (its record and timed lines), and last INDEX.result
# ("PASSED FAILED"), by which the harness knows it has ended.
start_step() {
	local index=$1
	# shellcheck disable=SC2030,SC2031 # the subshell's results go back in files
	(
		trap '[ -z "$running" ] || kill -TERM "$running" 2>/dev/null; exit 143' TERM
		summary_lines=() timing_lines=() total_passed=0 total_failed=0 shell_pid=$BASHPID
		eval "${queued_command[$index]}"
		: > "$step_dir/$index.summary"
		: > "$step_dir/$index.timing"
		[ ${#summary_lines[@]} -eq 0 ] || printf '%s\n' "${summary_lines[@]}" > "$step_dir/$index.summary"
		[ ${#timing_lines[@]} -eq 0 ] || printf '%s\n' "${timing_lines[@]}" > "$step_dir/$index.timing"
		echo "$total_passed $total_failed" > "$step_dir/$index.result.new"
		mv "$step_dir/$index.result.new" "$step_dir/$index.result"
	) > "$step_dir/$index.out" 2> "$step_dir/$index.err" < /dev/null &
	step_pid[$index]=$!
}

# report_step INDEX: print an ended step's output and add its results.
report_step() {
	local index=$1 passed failed line
	cat "$step_dir/$index.out"
	cat "$step_dir/$index.err" >&2
	if ! read -r passed failed < "$step_dir/$index.result" || [ -z "$failed" ]; then
		echo "--- ${queued_name[$index]}: its results are missing from $step_dir/" >&2
		record "${queued_name[$index]}" 0 1 "results missing from $step_dir/"
		return
	fi
	while IFS= read -r line; do summary_lines+=("$line"); done < "$step_dir/$index.summary"
	while IFS= read -r line; do timing_lines+=("$line"); done < "$step_dir/$index.timing"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
}

# run_queued: run the queued steps side by side, report them in order.
run_queued() {
	local count=${#queued_name[@]} busy=0 reported=0 index after order
	local -A index_of=() started=() ended=()
	rm -rf "$step_dir"
	mkdir -p "$step_dir"
	for index in "${!queued_name[@]}"; do
		index_of[${queued_name[$index]}]=$index
	done
	order=$(for index in "${!queued_name[@]}"; do echo "${queued_rank[$index]} $index"; done |
		sort -s -n -k 1,1 | cut -d ' ' -f 2)
	while [ $reported -lt "$count" ]; do
		for index in $order; do
			[ -z "${started[$index]:-}" ] || continue
			after=${queued_after[$index]}
			if [ -n "$after" ] && [ -n "${index_of[$after]:-}" ]; then
				[ -n "${ended[${index_of[$after]}]:-}" ] || continue
			fi
			[ $((busy + queued_weight[index])) -le "$slots" ] || continue
			start_step "$index"
			started[$index]=1
			busy=$((busy + queued_weight[index]))
		done
		sleep 0.2
		for index in "${!started[@]}"; do
			[ -z "${ended[$index]:-}" ] && [ -e "$step_dir/$index.result" ] || continue
			wait "${step_pid[$index]}"
			step_pid[$index]=""
			ended[$index]=1
			busy=$((busy - queued_weight[index]))
		done
		while [ $reported -lt "$count" ] && [ -n "${ended[$reported]:-}" ]; do
			report_step "$reported"
			reported=$((reported + 1))
		done
	done
}

# stop_steps: end the steps still running (each kills what it runs).
stop_steps() {
	local pid
	for pid in "${step_pid[@]}"; do
		[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null
	done
}

# manifest_suites RUN@BACKEND: ",suite" for each suite tests/ktest.manifest marks so.
manifest_suites() {
	awk -v where="$1" '$2 == where { printf ",%s", $1 }' "$MANIFEST"
}

# backend_make BACKEND TARGET...: make the targets with BACKEND into
# $BUILD/BACKEND, on every core, as a uniprocessor build if the back-end
# is not SMP-safe.
backend_make() {
	local backend=$1 cpus=64
	shift
	grep -q 'define SLAB_BACKEND_SMP_SAFE 1' "mm/${backend}_def.h" || cpus=1
	make -s "$jobs" SLAB_BACKEND="$backend" BUILD="$BUILD/$backend" NR_CPUS=$cpus "$@"
}

# backend_build_targets BACKEND: what make test needs of BACKEND (its host
# slab runner and ferrite-test-slab.iso, as selected); backend_build_wanted
# BACKEND: whether that is anything.
backend_build_targets() {
	[ $kernel_only = 1 ] || ! selected "host@$1" || echo "$BUILD/$1/host/ktest-host-slab"
	! selected "slab-smp4@$1" || echo "$BUILD/$1/ferrite-test-slab.iso"
}
backend_build_wanted() { [ -n "$(backend_build_targets "$1")" ]; }

# build_backend BACKEND: build backend_build_targets on one core (a step
# beside the others; run_backend_host and run_backend_boots start after
# it, make again what is still missing and judge the build).
build_backend() {
	local backend=$1
	# shellcheck disable=SC2046
	jobs=-j1 backend_make "$backend" KTEST_SLAB="$(backend_slab_ktest "$backend")" \
		$(backend_build_targets "$backend") > "$LOGS/prebuild@$backend.log" 2>&1
	return 0
}

# backend_slab_ktest BACKEND: the ktest= selection of BACKEND's
# ferrite-test-slab.iso: SLAB_KTEST and BACKEND's own kernel suites.
backend_slab_ktest() {
	echo "$SLAB_KTEST$(manifest_suites "kernel@$1")"
}

# backend_cpus BACKEND WANT: the CPUs a boot on WANT CPUs brings up (1 for
# a back-end that is not SMP-safe: its kernel is uniprocessor).
backend_cpus() {
	if grep -q 'define SLAB_BACKEND_SMP_SAFE 1' "mm/${1}_def.h"; then echo "$2"; else echo 1; fi
}

# run_backend_host BACKEND: its host slab suites (the conformance suites
# and its own), under ASan/UBSan, from a runner built with them alone.
run_backend_host() {
	local backend=$1 name=host@$1 log=$LOGS/host@$1.log selection status
	selected "$name" || return 0
	echo "== $name (slab suites, ASan + UBSan)"
	selection="slab_*$(manifest_suites "host@$backend")"
	if backend_make "$backend" "$BUILD/$backend/host/ktest-host-slab" > "$log" 2>&1; then
		run_limited 300 "$BUILD/$backend/host/ktest-host-slab" "$selection" >> "$log" 2>&1
		status=$?
	else
		echo "host tests did not build" >> "$log"
		status=2
	fi
	[ $status -eq 0 ] && status=33
	[ $status -eq 1 ] && status=35
	run_backend=$backend
	judge "$name" "$log" "$status" 33 host "$selection"
	run_backend=$SLAB_BACKEND
}

# run_backend_host_tsan BACKEND: its threaded host suites under ThreadSanitizer.
run_backend_host_tsan() {
	local backend=$1 name=host-tsan@$1 log=$LOGS/host-tsan@$1.log status
	selected "$name" || return 0
	echo "== $name (threaded suites, ThreadSanitizer)"
	backend_make "$backend" test-host-tsan > "$log" 2>&1
	status=$?
	[ $status -eq 0 ] && status=33 || status=35
	run_backend=$backend
	judge "$name" "$log" "$status" 33 host "$(backend_make "$backend" host-tsan-suites)"
	run_backend=$SLAB_BACKEND
}

# run_backend_boots BACKEND SUITES CPUS...: the test kernel built with
# BACKEND, one self-test boot (BIOS, CD) on each number of CPUs: of every
# suite (bios-smpN@BACKEND) when SUITES is "all", else of the slab
# back-end's suites alone (SLAB_KTEST and BACKEND's own; slab-smpN@BACKEND).
run_backend_boots() {
	local backend=$1 suites=$2 cpus name any=0 prefix=bios-smp iso=ferrite-test-qemu.iso ktest=$QEMU_KTEST
	shift 2
	if [ "$suites" != all ]; then
		prefix=slab-smp iso=ferrite-test-slab.iso ktest=$(backend_slab_ktest "$backend")
	fi
	for cpus in "$@"; do
		selected "$prefix$cpus@$backend" && any=1
	done
	[ $any = 1 ] || return 0
	if ! backend_make "$backend" KTEST_SLAB="$ktest" "$BUILD/$backend/$iso" \
		> "$LOGS/build@$backend.log" 2>&1; then
		echo "--- the $backend kernel did not build; see $LOGS/build@$backend.log" >&2
		record "build@$backend" 0 1 "build failed; see $LOGS/build@$backend.log"
		return
	fi
	run_backend=$backend
	for cpus in "$@"; do
		name=$prefix$cpus@$backend
		selected "$name" || continue
		TEST_ISO="$BUILD/$backend/$iso" TEST_KTEST=$ktest run_qemu "$name" 180 --firmware bios --smp "$cpus"
		check_cpus "$name" "$(backend_cpus "$backend" "$cpus")"
	done
	run_backend=$SLAB_BACKEND
}

# The long matrix (make test-matrix): every memory size and CPU model
# on both firmwares.  Memory layouts: pc keeps RAM below 3.5 GiB low,
# q35 splits at 2 GiB from 2.75 GiB on; both remap the rest above 4 GiB.
run_matrix() {
	local cpu
	for cpu in qemu64 qemu64,-nx Skylake-Server max; do
		run_qemu "bios-cpu-${cpu//,/}" 120 --firmware bios --cpu "$cpu"
		run_qemu "uefi-cpu-${cpu//,/}" 240 --firmware uefi --cpu "$cpu"
	done
	run_memory bios-32M 32 pc low
	run_memory uefi-64M 64 q35 low uefi
	run_memory bios-127M 127 pc low
	run_memory uefi-127M 127 pc low uefi
	run_memory bios-3583M-pc 3583 pc low
	run_memory bios-3583M-q35 3583 q35 high
	run_memory uefi-3583M-q35 3583 q35 high uefi
	run_memory bios-5G 5120 pc high
	run_memory bios-8G 8192 pc high
	run_memory uefi-8G 8192 q35 high uefi
	run_memory bios-64G-q35 65536 q35 high
	run_qemu bios-usb 60 --firmware bios --media usb
	run_qemu uefi-usb 180 --firmware uefi --media usb
	run_bochs
	selected bochs-bios-cd && check_cpus bochs-bios-cd 2
	# CPU counts on both firmwares, and the command-line limits.
	for cpus in 1 2 4 8; do
		run_smp "bios-smp$cpus" "$cpus" 180 --firmware bios
		run_smp "uefi-smp$cpus" "$cpus" 300 --firmware uefi
	done
	if make -s "$jobs" "$BUILD/ferrite-test-nosmp.iso" "$BUILD/ferrite-test-maxcpus2.iso"; then
		TEST_ISO="$BUILD/ferrite-test-nosmp.iso" run_qemu bios-nosmp-4cpus 180 --firmware bios --smp 4
		selected bios-nosmp-4cpus && check_cpus bios-nosmp-4cpus 1
		TEST_ISO="$BUILD/ferrite-test-maxcpus2.iso" run_qemu uefi-maxcpus2-4cpus 300 --firmware uefi --smp 4
		selected uefi-maxcpus2-4cpus && check_cpus uefi-maxcpus2-4cpus 2
	else
		record bios-nosmp-4cpus 0 1 "the nosmp/maxcpus=2 ISOs did not build"
	fi
	# The same kernel built by clang.
	if selected clang-bios-cd; then
		if BUILD="$BUILD/clang" CC=clang make -s "$jobs" "$BUILD/clang/ferrite-test-qemu.iso" \
			> "$LOGS/clang-build.log" 2>&1; then
			TEST_ISO="$BUILD/clang/ferrite-test-qemu.iso" run_qemu clang-bios-cd 120 --firmware bios
		else
			echo "--- clang build failed; see $LOGS/clang-build.log" >&2
			record clang-bios-cd 0 1 "clang build failed; see $LOGS/clang-build.log"
		fi
	fi
	for backend in $ALSO_SLAB_BACKENDS; do
		run_backend_host_tsan "$backend"
		run_backend_boots "$backend" all 1 2 4 8
	done
	if [ "${MATRIX_KVM:-0}" = 1 ]; then
		if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
			run_qemu kvm-bios-host 300 --firmware bios --accel kvm
		else
			echo "== kvm-bios-host: /dev/kvm not usable here; not run" >&2
		fi
	fi
}

if [ $matrix = 1 ]; then
	run_matrix
else
	run_default
fi

echo
echo "time per step (wall clock, CPU of the processes it ran, when it started):"
printf '  %s\n' "${timing_lines[@]}"
awk -v start="$harness_start" -v end="$EPOCHREALTIME" -v cpu="$(children_cpu)" \
	'BEGIN { printf "  %-22s %6.1f s wall %6.1f s CPU\n", "total", end - start, cpu }'
echo
printf '%s\n' "${summary_lines[@]}"
if [ ${#summary_lines[@]} -eq 0 ]; then
	echo "test.sh: no run was selected (--only '$only')" >&2
	total_failed=1
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
