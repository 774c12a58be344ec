#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot a Ferrite ISO in QEMU.
#
# usage: qemu.sh --iso FILE [--firmware bios|uefi] [--media cd|usb] [--mem SIZE]
#                [--machine pc|q35] [--cpu MODEL[,feature...]] [--smp N] [--accel tcg|kvm]
#                [--serial-log FILE | --serial-socket PATH | --no-serial] [--debugcon FILE]
#                [--monitor SOCKET] [--gdb] [--exit-device] [-- extra qemu args]
#
# Serial goes to the terminal unless --serial-log, --serial-socket (a Unix
# socket QEMU listens on: both directions, for scripts that type) or --no-serial.  --gdb
# starts paused with the gdb stub on tcp::1234.  --accel kvm is used only
# if /dev/kvm is usable; otherwise TCG, with a note.
set -eu

iso="" firmware=bios media=cd mem=256M machine=pc cpu="" smp=1 accel=tcg
serial="stdio" debugcon="" monitor="" gdb=0 exit_device=0
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--firmware) firmware=$2; shift ;;
	--media) media=$2; shift ;;
	--mem) mem=$2; shift ;;
	--machine) machine=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--smp) smp=$2; shift ;;
	--accel) accel=$2; shift ;;
	--serial-log) serial="file:$2"; shift ;;
	--serial-socket) serial="unix:$2,server=on,wait=off"; shift ;;
	--no-serial) serial="none" ;;
	--debugcon) debugcon=$2; shift ;;
	--monitor) monitor=$2; shift ;;
	--gdb) gdb=1 ;;
	--exit-device) exit_device=1 ;;
	--) shift; break ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$iso" ] || { echo "qemu.sh: --iso is required" >&2; exit 2; }

if [ "$accel" = kvm ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		[ -n "$cpu" ] || cpu=host
	else
		echo "qemu.sh: /dev/kvm is not usable here; using TCG" >&2
		accel=tcg
	fi
fi
[ -n "$cpu" ] || cpu=max

# On the terminal, serial and QEMU's monitor share stdio: Ctrl-A x quits,
# Ctrl-A c switches to the monitor.
[ "$serial" = stdio ] && serial=mon:stdio
# Guests of 16 GiB and more get RAM that the host backs only where the
# guest writes (a 64 GiB guest runs on a 24 GiB host if the kernel does
# not touch every page).
memory_backend=""
case $mem in
*G) [ "${mem%G}" -ge 16 ] && memory_backend=",memory-backend=ram0" ;;
esac
set -- -machine "$machine,accel=$accel$memory_backend" -cpu "$cpu" -smp "$smp" -m "$mem" -no-reboot \
	-serial "$serial" -display none "$@"
[ -n "$memory_backend" ] && set -- "$@" -object "memory-backend-ram,id=ram0,size=$mem,reserve=off"
[ -n "$debugcon" ] && set -- "$@" -debugcon "file:$debugcon"
[ -n "$monitor" ] && set -- "$@" -monitor "unix:$monitor,server,nowait"
[ "$exit_device" = 1 ] && set -- "$@" -device isa-debug-exit,iobase=0xf4,iosize=0x04
[ "$gdb" = 1 ] && set -- "$@" -s -S

case $firmware in
bios) ;;
uefi)
	vars=$(mktemp /tmp/ferrite-ovmf-vars.XXXXXX)
	trap 'rm -f "$vars"' EXIT
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	set -- "$@" -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive "if=pflash,format=raw,file=$vars"
	;;
*) echo "qemu.sh: firmware must be bios or uefi" >&2; exit 2 ;;
esac

case $media in
cd) set -- "$@" -drive "file=$iso,media=cdrom,format=raw,readonly=on" -boot d ;;
usb) set -- "$@" -device qemu-xhci,id=xhci \
	-drive "if=none,id=stick,format=raw,snapshot=on,file=$iso" \
	-device usb-storage,bus=xhci.0,drive=stick,bootindex=1 ;;
*) echo "qemu.sh: media must be cd or usb" >&2; exit 2 ;;
esac

[ "$gdb" = 1 ] && echo "QEMU paused; gdb stub on :1234 (run 'make gdb' in another terminal)" >&2
# Not exec: the EXIT trap must remove the OVMF variables copy.
status=0
qemu-system-x86_64 "$@" || status=$?
exit $status
