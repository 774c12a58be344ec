#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot a Ferrite ISO in Bochs, headless: BIOS, CD-ROM, no keyboard input.
#
# usage: bochs.sh --iso FILE --serial-log FILE [--debugcon-log FILE]
#                 [--bochs-log FILE] [--timeout SECONDS] [--cpu MODEL]
#                 [--cpus N] [--mem MB]
#
# COM1 goes to --serial-log.  Bytes written to port 0xE9 go to
# --debugcon-log (Bochs prints them on its standard output, between the
# lines of its debugger, which are filtered out).  The kernel ends a test
# run (exit=bochs) with "pass", "fail" or "crash" on port 0xE9 followed by
# the magic breakpoint `xchg %bx,%bx`; the debugger stops there and quits.
#
# Exit status: 0 if Bochs stopped at the magic breakpoint (read the verdict
# from the debugcon log), 124 on timeout (default 300 s), 2 on bad usage,
# 1 otherwise: how Bochs ended (its exit status or the signal that killed
# it), its standard error and the tail of its log are printed on standard
# error.
# Only one Bochs runs at a time (its display listens on a TCP port): a
# second call waits for the first one's lock.
set -eu
export LC_ALL=C

iso="" serial_log="" debugcon_log="" bochs_log="" limit=300
cpu=corei7_skylake_x cpus=2 mem=256
usage() {
	sed -n '5,7s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
die() { echo "bochs.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--iso|--serial-log|--debugcon-log|--bochs-log|--timeout|--cpu|--cpus|--mem)
		[ $# -ge 2 ] || die "$1 needs a value" ;;
	esac
	case $1 in
	--iso) iso=$2; shift ;;
	--serial-log) serial_log=$2; shift ;;
	--debugcon-log) debugcon_log=$2; shift ;;
	--bochs-log) bochs_log=$2; shift ;;
	--timeout) limit=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--cpus) cpus=$2; shift ;;
	--mem) mem=$2; shift ;;
	-h|--help) usage ;;
	*) echo "bochs.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ -n "$iso" ] || die "--iso is required"
[ -n "$serial_log" ] || die "--serial-log is required"
[ -f "$iso" ] || die "no such ISO: $iso"
case $limit in ''|*[!0-9]*) die "--timeout wants whole seconds, not '$limit'" ;; esac
case $cpus in [1-9]) ;; *) die "--cpus wants 1 to 9, not '$cpus'" ;; esac
case $mem in ''|*[!0-9]*) die "--mem wants megabytes, not '$mem'" ;; esac
command -v bochs >/dev/null 2>&1 || die "bochs is not installed (make deps)"

bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
for f in "$bios" "$vgabios"; do
	[ -r "$f" ] || die "missing $f (make deps)"
done

# Bochs reads paths from its configuration file: make them absolute.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
iso=$(abspath "$iso")
serial_log=$(abspath "$serial_log")
: > "$serial_log" || die "cannot write $serial_log"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferrite-bochs.XXXXXX")
pid=""
trap 'rm -rf "$tmp"' EXIT
# On INT/TERM, stop Bochs too (timeout passes the signal on to its group).
trap '[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null; exit 130' INT
trap '[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null; exit 143' TERM HUP

cat > "$tmp/bochsrc" <<EOF
display_library: rfb, options="timeout=0"
cpu: model=$cpu, count=$cpus, ignore_bad_msrs=0, reset_on_triple_fault=0
megs: $mem
romimage: file=$bios
vgaromimage: file=$vgabios
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
floppy_bootsig_check: disabled=1
com1: enabled=1, mode=file, dev=$serial_log
port_e9_hack: enabled=1
magic_break: enabled=1
mouse: enabled=0
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $tmp/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
printf 'c\nquit\n' > "$tmp/cmds"

lock=${TMPDIR:-/tmp}/ferrite-bochs.lock
exec 9> "$lock"
if ! flock -n 9; then
	echo "bochs.sh: another Bochs is running; waiting for $lock" >&2
	flock 9
fi

start=$(date +%s)
status=0
# timeout runs Bochs in its own process group and kills the whole group.
# In the background so that a signal reaches the traps above at once.
timeout -k 5 "$limit" bochs -q -f "$tmp/bochsrc" -rc "$tmp/cmds" \
	< /dev/null > "$tmp/stdout" 2> "$tmp/stderr" &
pid=$!
wait "$pid" || status=$?
pid=""
end=$(date +%s)
exec 9>&-

# Port 0xE9 output: Bochs' standard output without the banner and debugger lines.
if [ -n "$debugcon_log" ]; then
	sed -e '/^=\{10,\}$/d' -e '/^ *Bochs x86 Emulator/d' -e '/^ *Built from/d' \
		-e '/^ *Timestamp:/d' -e '/^Next at t=/d' -e '/^([0-9]*)/d' -e '/^<bochs:/d' \
		-e 's/([0-9]*) Magic breakpoint$//' "$tmp/stdout" > "$debugcon_log"
fi
[ -z "$bochs_log" ] || cp "$tmp/bochs.log" "$bochs_log" 2>/dev/null || true

if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	echo "bochs.sh: timeout after ${limit}s; last lines of Bochs' log:" >&2
	tail -n 20 "$tmp/bochs.log" >&2 2>/dev/null || true
	exit 124
fi
if [ $status -eq 0 ] && grep -q 'Magic breakpoint' "$tmp/stdout"; then
	echo "bochs.sh: stopped at the magic breakpoint after $((end - start))s" >&2
	exit 0
fi
# Bochs died or quit early: say how, then its own last words.
if [ $status -gt 128 ]; then
	signal=$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))
	how="was killed by signal SIG$signal (exit status $status)"
else
	how="exited with status $status"
fi
if [ -s "$serial_log" ]; then
	echo "bochs.sh: Bochs $how without reaching the magic breakpoint" >&2
else
	echo "bochs.sh: Bochs $how before the guest wrote anything to the serial port" >&2
fi
# Its standard error: glibc's "*** buffer overflow detected ***", a
# failed assertion, or "3rd (13) exception with no resolution" (a triple
# fault).  Only the informational log lines and rulers are left out.
echo "--- Bochs' standard error:" >&2
grep -v -e '^[0-9]\{11\}i\[' -e '^=*$' "$tmp/stderr" >&2 || echo "(empty)" >&2
echo "--- errors in Bochs' log:" >&2
grep '^[0-9]\{11\}[ep]\[' "$tmp/bochs.log" 2>/dev/null | tail -n 10 >&2 || true
echo "--- last lines of Bochs' log:" >&2
tail -n 30 "$tmp/bochs.log" >&2 2>/dev/null || true
exit 1
