#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the tools Ferrite needs to build, boot and test, if missing.
# Debian/Ubuntu only (apt-get), as root or through sudo.
set -eu

missing=""
need() { # need <package> <path-or-command>...
	pkg=$1; shift
	for what in "$@"; do
		case $what in
		/*) [ -e "$what" ] && continue ;;
		*) command -v "$what" >/dev/null 2>&1 && continue ;;
		esac
		missing="$missing $pkg"
		return
	done
}

need nasm nasm
need gcc gcc
need make make
need binutils ld nm
need qemu-system-x86 qemu-system-x86_64
need grub-common grub-mkrescue
need grub-pc-bin /usr/lib/grub/i386-pc/multiboot2.mod
need grub-efi-amd64-bin /usr/lib/grub/x86_64-efi/multiboot2.mod
need xorriso xorriso
need mtools mformat
need ovmf /usr/share/OVMF/OVMF_CODE_4M.fd
need bochs bochs
need bochsbios /usr/share/bochs/BIOS-bochs-latest
need vgabios /usr/share/vgabios/vgabios.bin
need clang clang
need libclang-rt-14-dev /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
need gdb gdb
need python3 python3

[ -z "$missing" ] && exit 0

echo "Ferrite: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "Ferrite: cannot install packages: not root and no sudo." >&2
	echo "Install them by hand: apt-get install$missing" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "Ferrite: apt-get not found; install by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || { echo "Ferrite: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing || {
	echo "Ferrite: apt-get install failed; install by hand:$missing" >&2
	exit 1
}
