#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the tools Ferrite needs, if missing, one group at a time.
# Debian/Ubuntu only (apt-get), as root or through sudo.
#
# usage: scripts/deps.sh GROUP...     (no GROUP: every group but linux)
#   build  gcc and the C library headers, make, NASM, binutils: compiling and the host tests
#   iso    GRUB for BIOS and UEFI, xorriso, mtools, python3: the ISO images
#   run    QEMU, OVMF, python3 (the screen check): make run, make test, make bench
#   bochs  Bochs with its BIOS and VGA BIOS: make test
#   fuzz   clang and libFuzzer: make fuzz
#   clang  clang: the matrix's clang build
#   debug  gdb: make gdb
#   plot   gnuplot: make compare's charts
#   linux  Debian's stock kernel image and its headers, a static busybox,
#          cpio, kmod: make bench-linux and make trace-linux (not make test)
# Exit status 0 when every tool of the groups is there (nothing is done
# then), 1 when something is missing and cannot be installed, 2 on a bad
# group name.
set -eu

missing=""
need() { # need <package> <path-or-command>...
	pkg=$1; shift
	for what in "$@"; do
		case $what in
		/*) [ -e "$what" ] && continue ;;
		*) command -v "$what" >/dev/null 2>&1 && continue ;;
		esac
		case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
		return
	done
}

need_package() { # need_package <package>: installed as a Debian package
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return
	case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac
}

need_group() {
	case $1 in
	build)
		need make make
		need gcc gcc
		# gcc only recommends the C library's headers: the host tests need them.
		need libc6-dev /usr/include/stdio.h
		need nasm nasm
		need binutils ld nm
		;;
	iso)
		need grub-common grub-mkrescue
		need grub-pc-bin /usr/lib/grub/i386-pc/multiboot2.mod
		need grub-efi-amd64-bin /usr/lib/grub/x86_64-efi/multiboot2.mod
		need xorriso xorriso
		need mtools mformat
		# scripts/trace-convert.py: the replay slice every ISO carries
		need python3 python3
		;;
	run)
		need qemu-system-x86 qemu-system-x86_64
		need ovmf /usr/share/OVMF/OVMF_CODE_4M.fd
		need python3 python3
		;;
	bochs)
		need bochs bochs
		need bochsbios /usr/share/bochs/BIOS-bochs-latest
		need vgabios /usr/share/vgabios/vgabios.bin
		;;
	fuzz)
		need clang clang
		# libFuzzer of whatever clang is installed (libclang-rt-dev
		# follows the distribution's default clang).
		fuzzer=libclang_rt.fuzzer-x86_64.a
		command -v clang >/dev/null 2>&1 && fuzzer=$(clang --print-file-name=$fuzzer)
		need libclang-rt-dev "$fuzzer"
		;;
	clang) need clang clang ;;
	debug) need gdb gdb ;;
	linux)
		# The metapackages name no file of their own: ask dpkg.  They
		# pull in the current versioned image and its matching headers.
		need_package linux-image-amd64
		need_package linux-headers-amd64
		# busybox (dynamic) also owns /bin/busybox: the initramfs needs
		# the static one.
		need_package busybox-static
		need cpio cpio
		need kmod modinfo
		need make make
		need gcc gcc
		;;
	plot) need gnuplot-nox gnuplot ;;
	*) echo "deps.sh: unknown group '$1' (build iso run bochs fuzz clang debug linux plot)" >&2; exit 2 ;;
	esac
}

[ $# -gt 0 ] || set -- build iso run bochs fuzz clang debug plot
for group in "$@"; do
	need_group "$group"
done

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
