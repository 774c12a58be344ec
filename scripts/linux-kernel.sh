#!/bin/sh
# SPDX-License-Identifier: MIT
# Find Debian's stock kernel for make bench-linux and make trace-linux:
# the version that the linux-image-amd64 metapackage points to, its image
# and its headers.  Prints three shell assignments for eval:
#
#     linux_version=6.1.0-57-amd64
#     linux_image=/boot/vmlinuz-6.1.0-57-amd64    (or a readable copy, see below)
#     linux_build=/lib/modules/6.1.0-57-amd64/build
#
# usage: eval "$(scripts/linux-kernel.sh BUILD_DIR)"
#
# Debian may install the image readable by root only; then a copy is made
# in BUILD_DIR/linux/ (through sudo when not root).  Exit status 1 with a
# message on stderr when the packages are missing or incomplete.
set -eu

build_dir=${1:-build}
die() {
	echo "linux-kernel.sh: $*" >&2
	exit 1
}

depends=$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null) ||
	die "linux-image-amd64 is not installed (scripts/deps.sh linux)"
# "linux-image-6.1.0-57-amd64 (= 6.1.192-3)" -> 6.1.0-57-amd64
version=$(echo "$depends" | tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1)
[ -n "$version" ] || die "cannot read the kernel version from linux-image-amd64's dependencies ('$depends')"

image=/boot/vmlinuz-$version
build=/lib/modules/$version/build
[ -e "$image" ] || die "$image missing: reinstall linux-image-$version"
[ -f "$build/Makefile" ] ||
	die "$build has no headers: install linux-headers-$version (scripts/deps.sh linux)"

if [ ! -r "$image" ]; then
	copy=$build_dir/linux/vmlinuz-$version
	if [ ! -r "$copy" ]; then
		mkdir -p "$build_dir/linux"
		sudo=""
		[ "$(id -u)" -eq 0 ] || sudo=sudo
		$sudo cp "$image" "$copy" && $sudo chmod 644 "$copy" ||
			die "$image is readable by root only and could not be copied"
	fi
	image=$copy
fi

echo "linux_version=$version"
echo "linux_image=$image"
echo "linux_build=$build"
