#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the make bench-linux initramfs (scripts/bench-linux.sh): load
# ferrite_bench.ko, whose "BENCH ..." lines the kernel prints on the
# console while it loads, then power off.  $bench (the kernel command
# line's bench=, passed to init as an environment variable) selects cases.
#
# Console lines for the host script:
#   LINUX-BENCH kernel <uname -r> cmdline <the kernel command line>
#   LINUX-BENCH error <what>        the module could not be loaded
#   LINUX-BENCH finished            insmod returned
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "LINUX-BENCH kernel $(uname -r) cmdline $(cat /proc/cmdline)"
if ! insmod /ferrite_bench.ko bench="${bench:-*}"; then
	echo "LINUX-BENCH error insmod /ferrite_bench.ko failed (the kernel says why, above)"
fi
echo "LINUX-BENCH finished"
poweroff -f
