#!/bin/sh
# SPDX-License-Identifier: MIT
# Write a Ferrite ISO to a USB stick (used by `make usb DEV=/dev/sdX`).
#
# usage: write-usb.sh ISO DEV
#
# DEV must be a whole disk (not a partition) that the kernel reports as
# removable, with nothing on it mounted, used as swap or held by LVM, RAID
# or dm-crypt, and at least as large as the ISO.  The script shows the disk
# and its partitions, then asks for its name to be typed (FERRITE_USB_YES=1
# skips the question), then writes with dd (conv=fsync) and syncs.  It
# uses sudo for the write if DEV is not writable.
set -eu

prog=write-usb.sh
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
refuse() { printf '%s: refusing: %s\n' "$prog" "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $prog ISO DEV (e.g. make usb DEV=/dev/sdX)"
iso=$1 dev=$2
list_disks="lsblk -d -o NAME,SIZE,RM,TRAN,VENDOR,MODEL lists the disks"

[ -n "$dev" ] || refuse "no device given; use make usb DEV=/dev/sdX ($list_disks)"
if [ ! -f "$iso" ] || [ ! -r "$iso" ]; then
	die "cannot read the ISO '$iso'"
fi
[ -e "$dev" ] || refuse "$dev does not exist ($list_disks)"
[ -b "$dev" ] || refuse "$dev is not a block device"

# Follow /dev/disk/by-id/... links to the kernel's name (sdb, mmcblk0, ...).
real=$(readlink -f -- "$dev")
name=${real##*/}
[ -d "/sys/class/block/$name" ] || refuse "$dev ($real) is not known to the kernel as a block device"
if [ -e "/sys/class/block/$name/partition" ]; then
	disk=$(basename "$(dirname "$(readlink -f "/sys/class/block/$name")")")
	refuse "$dev is a partition; give the whole disk (/dev/$disk), which will be overwritten entirely"
fi
[ -d "/sys/block/$name" ] || refuse "$dev is not a whole disk"
removable=$(cat "/sys/block/$name/removable" 2>/dev/null || echo unknown)
[ "$removable" = 1 ] || refuse "$dev is not a removable disk (/sys/block/$name/removable is $removable)"

# The disk and its partitions: nothing may be mounted, swapped on or held.
names=$name
for p in "/sys/block/$name/$name"*; do
	if [ -e "$p/partition" ]; then
		names="$names ${p##*/}"
	fi
done
for n in $names; do
	devno=$(cat "/sys/class/block/$n/dev")
	# mountinfo's third field is the device number: catches /dev/root too.
	if awk -v d="$devno" '$3 == d { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		refuse "/dev/$n is mounted (see findmnt /dev/$n); unmount it first"
	fi
	for src in $(awk '$1 ~ /^\// { print $1 }' /proc/mounts /proc/swaps); do
		if [ "$(readlink -f -- "$src" 2>/dev/null || true)" = "/dev/$n" ]; then
			refuse "/dev/$n is mounted or used as swap ($src); unmount it (or swapoff) first"
		fi
	done
	if [ -n "$(ls -A "/sys/class/block/$n/holders" 2>/dev/null)" ]; then
		refuse "/dev/$n is in use by $(ls "/sys/class/block/$n/holders" | tr '\n' ' ')(LVM, RAID or dm-crypt)"
	fi
done
if command -v lsblk >/dev/null 2>&1; then
	mounted=$(lsblk -nro MOUNTPOINT "$real" 2>/dev/null | grep -v '^$' || true)
	[ -z "$mounted" ] || refuse "$real has mounted file systems: $(echo "$mounted" | tr '\n' ' ')"
fi

sectors=$(cat "/sys/block/$name/size")
disk_bytes=$((sectors * 512))
iso_bytes=$(wc -c < "$iso")
[ "$disk_bytes" -gt 0 ] || refuse "$real has no medium (size 0)"
[ "$iso_bytes" -le "$disk_bytes" ] || refuse "$real ($disk_bytes bytes) is smaller than $iso ($iso_bytes bytes)"

read_attr() { if [ -r "$1" ]; then tr -s ' ' < "$1" | sed 's/ *$//'; fi; }
vendor=$(read_attr "/sys/block/$name/device/vendor")
model=$(read_attr "/sys/block/$name/device/model")
echo "This will overwrite the whole of $real:"
echo "  vendor: ${vendor:-unknown}  model: ${model:-unknown}  size: $((disk_bytes / 1000000)) MB ($disk_bytes bytes)"
if command -v lsblk >/dev/null 2>&1; then
	echo "  current contents:"
	lsblk -o NAME,SIZE,TYPE,FSTYPE,LABEL,TRAN "$real" | sed 's/^/    /'
fi
echo "with $iso ($iso_bytes bytes)."

if [ "${FERRITE_USB_YES:-}" = 1 ]; then
	echo "FERRITE_USB_YES=1: not asking for confirmation."
else
	printf 'Type %s to erase it and write the ISO (anything else stops): ' "$name"
	answer=""
	read -r answer || echo
	[ "$answer" = "$name" ] || [ "$answer" = "$real" ] || die "not confirmed; nothing was written"
fi

sudo=""
if [ ! -w "$real" ]; then
	if [ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1; then
		die "no permission to write $real"
	fi
	echo "Writing with sudo ($real is not writable by $(id -un))."
	sudo="sudo"
fi
$sudo dd if="$iso" of="$real" bs=4M conv=fsync status=progress
sync
echo "Done: $real holds $iso; it boots under BIOS and UEFI (turn Secure Boot off)."
