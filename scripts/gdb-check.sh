#!/bin/sh
# SPDX-License-Identifier: MIT
# Check Ferrite's gdb commands against the kernel's own dumps.
#
# Boots the gdb test ISO (ktest=slab gdb_checkpoint=corrupt) paused, with
# QEMU's gdb stub on a private Unix socket (parallel runs never clash);
# gdb in batch mode runs the kernel to ferrite_checkpoint (the kernel has
# just printed its slabinfo, buddyinfo, zones, meminfo and vmallocinfo on
# serial), runs every ferrite-* command, continues to
# ferrite_checkpoint_corrupted (a free pointer of cache gdb-check was just
# overwritten) and runs ferrite-verify again, then lets the kernel finish.
# At the first stop it also breaks, one at a time, a free-list count, a
# red zone of a debug cache (slab_debug on the kmalloc caches) and a vmalloc
# counter, and puts each back: ferrite-verify must name each.
# scripts/gdb/compare.py then checks gdb's numbers against the serial
# dump, and that ferrite-verify named the corrupted cache and slab.
#
# usage: gdb-check.sh --iso FILE --elf FILE --out DIR [--timeout S]
# Writes DIR/serial.log, DIR/gdb.log, DIR/qemu.log, DIR/check.log.
# Exit status: 0 if every check passed.
set -eu

iso="" elf="" out="" limit=120
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--elf) elf=$2; shift ;;
	--out) out=$2; shift ;;
	--timeout) limit=$2; shift ;;
	*) echo "gdb-check.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$iso" ] && [ -n "$elf" ] && [ -n "$out" ] || { echo "gdb-check.sh: missing option" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
sock_dir=$(mktemp -d /tmp/ferrite-gdb.XXXXXX)
socket=$sock_dir/gdb
qemu_pid=""
trap 'rm -rf "$sock_dir"; [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true' EXIT
rm -f "$out/serial.log" "$out/gdb.log" "$out/check.log"

# QEMU waits, paused (-S), for gdb on the socket.
timeout -k 5 "$limit" "$here/qemu.sh" --iso "$iso" --exit-device --serial-log "$out/serial.log" \
	-- -S -gdb "unix:$socket,server=on,wait=off" > "$out/qemu.log" 2>&1 &
qemu_pid=$!
waited=0
until [ -S "$socket" ]; do
	kill -0 "$qemu_pid" 2>/dev/null || { echo "gdb-check.sh: QEMU exited at start; see $out/qemu.log" >&2; exit 1; }
	[ $waited -lt 100 ] || { echo "gdb-check.sh: no gdb socket from QEMU" >&2; exit 1; }
	sleep 0.1
	waited=$((waited + 1))
done

# Each command its own -ex, so that one failing does not stop the others;
# "@@@ NAME" lines split the transcript for compare.py.
set -- -ex "source $here/gdb/ferrite-gdb.py" -ex "target remote $socket" \
	-ex "break ferrite_checkpoint" -ex "break ferrite_checkpoint_corrupted" \
	-ex "echo @@@ stop1\n" -ex continue
for command in "help ferrite" ferrite-slabinfo ferrite-buddyinfo ferrite-zoneinfo ferrite-vmallocinfo \
	ferrite-cpus "ferrite-slab gdb-check" "ferrite-slab gdb-check -v" "ferrite-page gdb_checkpoint_held.objects[0]" \
	"ferrite-page gdb_checkpoint_held.block" "ferrite-page gdb_checkpoint_held.large" \
	"ferrite-page gdb_checkpoint_held.areas[0]" "ferrite-page 0" ferrite-regs "ferrite-pt kernel_main" \
	"ferrite-phys 0x1000 2" "ferrite-slab no-such-cache" "ferrite-page 0xfffffffff" \
	"ferrite-page 0xffffc9fffff00000" ferrite-pt ferrite-verify; do
	set -- "$@" -ex "echo @@@ $command\n" -ex "$command"
done
# ferrite-verify must also catch a broken count, red zone and counter: the
# check itself writes them through gdb, and puts them back.
# The red zone of kmalloc(100) starts past the kmalloc-128 object on SLUB and
# SLAB, right past the 100 bytes asked for on SLOB (it keeps each kmalloc's size).
set -- "$@" -ex "python import ferrite.vmallocinfo as v; gdb.set_convenience_variable('vmap_areas', v.counters().field_address('areas'))" \
	-ex "python import ferrite.slob as s; gdb.set_convenience_variable('red_zone', 100 if s.active() else 128)"
for breakage in "buddy|kernel_buddy.zones[1].free_area[0].count" \
	"redzone|*(unsigned char *)((char *)gdb_checkpoint_held.small[0] + \$red_zone)" \
	"vmalloc|*(unsigned long *)\$vmap_areas"; do
	lvalue=${breakage#*|}
	set -- "$@" -ex "set var $lvalue ^= 1" -ex "echo @@@ broken ${breakage%%|*}\n" \
		-ex ferrite-verify -ex "set var $lvalue ^= 1"
done
set -- "$@" -ex "echo @@@ stop2\n" -ex continue \
	-ex "echo @@@ corrupted ferrite-verify\n" -ex ferrite-verify \
	-ex "echo @@@ corrupted ferrite-slab gdb-check\n" -ex "ferrite-slab gdb-check" \
	-ex "echo @@@ end\n" -ex "delete" -ex continue
timeout -k 5 "$limit" gdb -q -nx -batch "$@" "$elf" > "$out/gdb.log" 2>&1 || true

# The kernel runs on to its end: QEMU's exit status tells how the run went.
status=0
wait "$qemu_pid" || status=$?
qemu_pid=""
python3 "$here/gdb/compare.py" --serial "$out/serial.log" --gdb "$out/gdb.log" --qemu-status "$status" \
	| tee "$out/check.log"
tail -n 1 "$out/check.log" | grep -q ', 0 failed$'
