#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The runner behind `make trace-linux`: a real trace of Linux's allocators.
#
# Boots Debian's stock kernel (scripts/linux-kernel.sh) under QEMU with
# the kmem tracepoints on from the kernel command line, so boot is traced
# too; the initramfs's /init (tools/linux-trace/init.sh) runs a tmpfs
# workload, stops tracing and sends the ftrace text, gzip-compressed, over
# the second serial port.  Writes under build/trace-linux/:
#   trace.txt     the raw text of /sys/kernel/tracing/trace
#   console.log   the guest's console: boot log, ring-buffer statistics
#   formats.txt   the format file of every event enabled
#   stats.txt     per-CPU ring-buffer statistics (entries, overrun, ...)
#
# usage: scripts/trace-linux.sh [--smp N] [--mem SIZE] [--buffer SIZE] [--dirs D] [--files F]
#                               [--timeout SECONDS]
#   --smp 2, --mem 1G: the guest; --buffer 96M: ring buffer per CPU
#   (trace_buf_size=); --dirs 30 --files 100: the workload's directories
#   and files per directory; --timeout 2400.
#   TRACE_SMP, TRACE_MEM, TRACE_BUFFER and TRACE_TIMEOUT set the same.
#
# Events are lost when the ring buffer fills: the script reads each CPU's
# overrun, commit overrun and dropped-event counters and the trace's
# "[LOST N EVENTS]" lines, and fails naming them (use a larger --buffer).
# Exit status: 0 with a complete trace and no event lost, 1 otherwise, 2
# on a bad argument.
set -eu -o pipefail

cd "$(dirname "$0")/.."
export LC_ALL=C
BUILD=${BUILD:-build}
smp=${TRACE_SMP:-2}
mem=${TRACE_MEM:-1G}
buffer=${TRACE_BUFFER:-96M}
dirs=30 files=100
limit=${TRACE_TIMEOUT:-2400}
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--buffer) buffer=$2; shift ;;
	--dirs) dirs=$2; shift ;;
	--files) files=$2; shift ;;
	--timeout) limit=$2; shift ;;
	*) echo "trace-linux.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
for number in "$smp" "$dirs" "$files" "$limit"; do
	case $number in
	'' | *[!0-9]* | 0) echo "trace-linux.sh: '$number' is not a positive number" >&2; exit 2 ;;
	esac
done

# The allocator events (Linux 6.1 names; events/kmem/ in tracefs).  Not
# kmem:mm_page_free_batched: in 6.1 every page it reports was reported by
# an mm_page_free just before (free_unref_page_list frees each page
# through free_pages_prepare), so it would only repeat those lines.
events=kmem:kmalloc,kmem:kfree,kmem:kmem_cache_alloc,kmem:kmem_cache_free
events=$events,kmem:mm_page_alloc,kmem:mm_page_free

scripts/deps.sh linux run
eval "$(scripts/linux-kernel.sh "$BUILD")"

out=$BUILD/trace-linux
mkdir -p "$out"
rm -f "$out/trace.txt" "$out/trace.gz" "$out/console.log" "$out/formats.txt" "$out/stats.txt"
scripts/linux-initramfs.sh --init tools/linux-trace/init.sh --out "$out/initramfs.cpio.gz"

# trace_clock=global: the kernel would switch to it by itself on finding
# the TSC unstable (as under TCG), and a clock switch empties the buffer.
# no_hash_pointers: addresses as they are, not hashed per boot.
cmdline="console=ttyS0 panic=-1 no_hash_pointers trace_clock=global trace_buf_size=$buffer"
cmdline="$cmdline trace_event=$events trace_dirs=$dirs trace_files=$files"
echo "== trace-linux: Linux $linux_version, $smp CPU(s), $mem, buffer $buffer per CPU," \
	"$dirs x $files files (a few minutes under TCG)" >&2
status=0
timeout -k 5 "$limit" qemu-system-x86_64 -machine pc,accel=tcg -cpu max -smp "$smp" -m "$mem" \
	-no-reboot -display none -serial "file:$out/console.log" -serial "file:$out/trace.gz" \
	-kernel "$linux_image" -initrd "$out/initramfs.cpio.gz" -append "$cmdline" \
	< /dev/null > "$out/qemu.log" 2>&1 || status=$?

console=$out/console.log
fail() {
	echo "trace-linux: FAILED: $*" >&2
	echo "--- last lines of $console:" >&2
	grep -a -e '^TRACE-LINUX' -e '^\[' "$console" | tail -n 15 >&2 || true
	exit 1
}
[ "$status" = 0 ] || fail "QEMU exit status $status$([ "$status" = 124 ] && echo " (timeout after ${limit}s)")"
grep -a '^TRACE-LINUX error' "$console" && fail "the guest reported an error"
sent=$(grep -a '^TRACE-LINUX sent ' "$console" | tr -d '\r') || fail "the guest sent no trace"
bytes=${sent#*bytes=}; bytes=${bytes%% *}
md5=${sent#*md5=}
[ "$(wc -c < "$out/trace.gz")" = "$bytes" ] ||
	fail "got $(wc -c < "$out/trace.gz") bytes of the trace, the guest sent $bytes"
[ "$(md5sum < "$out/trace.gz" | cut -d ' ' -f 1)" = "$md5" ] || fail "the trace arrived corrupted (md5)"
gunzip -c "$out/trace.gz" > "$out/trace.txt"

# What the guest said besides the trace.
sed -n 's/^TRACE-LINUX stats //p' "$console" | tr -d '\r' > "$out/stats.txt"
awk '/^TRACE-LINUX format /{ print "== " $3; keep = 1; next }
     /^TRACE-LINUX /{ keep = 0 }
     keep' "$console" | tr -d '\r' > "$out/formats.txt"

# Lost events: the ring buffer's counters, and ftrace's own marks in the text.
lost=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "=")
		if ((kv[1] == "overrun" || kv[1] == "commit_overrun" || kv[1] == "dropped_events") && kv[2] + 0 > 0)
			printf "%s %s=%s; ", $1, kv[1], kv[2] } }' "$out/stats.txt")
lost_lines=$(grep -ac 'LOST [0-9]* EVENTS' "$out/trace.txt" || true)
[ "$lost_lines" = 0 ] || lost="$lost$lost_lines \"LOST N EVENTS\" lines in trace.txt; "
[ -s "$out/stats.txt" ] || lost="no ring-buffer statistics; "

events_seen=$(grep -avc '^#' "$out/trace.txt" || true)
echo "trace-linux: $out/trace.txt: $events_seen events, $(wc -c < "$out/trace.txt") bytes" \
	"(Linux $linux_version, $smp CPU(s))" >&2
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(cpu|entries|overrun|commit_overrun|dropped_events)=/) printf "%s ", $i; print "" }' \
	"$out/stats.txt" | sed 's/^/trace-linux:   /' >&2
[ -z "$lost" ] || fail "events were lost: $lost- boot with a larger buffer (--buffer, TRACE_BUFFER)"

# ---- the replay converter hook ----------------------------------------------
# scripts/trace-convert.py (the converter to Ferrite's replay format) turns
# the trace into build/trace-linux/trace.replay when it is there.
if [ -f scripts/trace-convert.py ]; then
	python3 scripts/trace-convert.py "$out/trace.txt" -o "$out/trace.replay"
else
	echo "trace-linux: no scripts/trace-convert.py: trace.txt not converted" >&2
fi
