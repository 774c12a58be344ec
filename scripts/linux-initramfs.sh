#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a busybox initramfs (newc cpio, gzip) for booting Debian's stock
# Linux kernel under QEMU: make bench-linux and make trace-linux.
#
# usage: scripts/linux-initramfs.sh --init SCRIPT --out FILE.cpio.gz [--file SRC=DEST]...
#
# The archive holds the static busybox (/bin/busybox, the applets are
# linked at boot by "busybox --install -s"), the empty directories a
# kernel and busybox expect (dev proc sys tmp run), SCRIPT as /init
# (mode 755) and every SRC at /DEST.  No device node is made (that would
# need root): /init mounts devtmpfs on /dev before it opens /dev/console.
#
# Exit status 0 on success, 1 when a file is missing or cpio fails, 2 on
# a bad argument.
set -eu

init="" out=""
files=""
while [ $# -gt 0 ]; do
	case $1 in
	--init) init=$2; shift ;;
	--out) out=$2; shift ;;
	--file)
		case $2 in
		*=*) files="$files
$2" ;;
		*) echo "linux-initramfs.sh: --file wants SRC=DEST, not '$2'" >&2; exit 2 ;;
		esac
		shift ;;
	*) echo "linux-initramfs.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$init" ] && [ -n "$out" ] || {
	echo "usage: linux-initramfs.sh --init SCRIPT --out FILE.cpio.gz [--file SRC=DEST]..." >&2
	exit 2
}

busybox=/bin/busybox
[ -f "$init" ] || { echo "linux-initramfs.sh: init script $init not found" >&2; exit 1; }
[ -x "$busybox" ] || { echo "linux-initramfs.sh: $busybox missing (scripts/deps.sh linux)" >&2; exit 1; }
# A dynamically linked busybox (Debian's "busybox") would find no C
# library in the initramfs: only busybox-static will do.
if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'INTERP'; then
	echo "linux-initramfs.sh: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/bin" "$root/sbin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"
chmod 755 "$root/init"
echo "$files" | while IFS= read -r pair; do
	[ -n "$pair" ] || continue
	src=${pair%%=*}
	dest=${pair#*=}
	[ -f "$src" ] || { echo "linux-initramfs.sh: $src not found" >&2; exit 1; }
	mkdir -p "$root/$(dirname "$dest")"
	cp "$src" "$root/$dest"
done

mkdir -p "$(dirname "$out")"
# Owned by root in the archive whoever builds it; sorted, so that the same
# inputs give the same archive.
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
