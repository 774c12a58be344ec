#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the make trace-linux initramfs (scripts/trace-linux.sh).
#
# The kernel starts with the kmem tracepoints on (trace_event= on its
# command line).  This script runs a file-system workload in tmpfs, stops
# tracing, reports the ring buffer's statistics and the events' formats
# on the console (ttyS0), sends the raw trace text, gzip-compressed, over
# the second serial port (ttyS1), and powers off.
#
# Console lines for the host script, each starting with "TRACE-LINUX ":
#   TRACE-LINUX kernel <uname -r>
#   TRACE-LINUX events <the events enabled>
#   TRACE-LINUX workload dirs=<D> files_per_dir=<F>
#   TRACE-LINUX stats cpu=<N> <field>=<value>...   one per CPU (per_cpu/cpuN/stats)
#   TRACE-LINUX format <event>                     then that event's format file
#   TRACE-LINUX sent bytes=<N> md5=<sum>           the gzip stream written to ttyS1
#   TRACE-LINUX done
#   TRACE-LINUX error <what>                       something went wrong
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

fail() {
	echo "TRACE-LINUX error $*"
	sleep 1
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tracefs tracefs /sys/kernel/tracing || fail "cannot mount tracefs"
T=/sys/kernel/tracing
echo "TRACE-LINUX kernel $(uname -r)"
echo "TRACE-LINUX events $(tr '\n' ' ' < $T/set_event)"
[ "$(cat $T/tracing_on)" = 1 ] || fail "tracing is off"

# ---- the workload: tmpfs activity ------------------------------------------
W=/work
mkdir -p $W
mount -t tmpfs -o size=200m tmpfs $W || fail "cannot mount tmpfs"
DIRS=${trace_dirs:-30}
FILES=${trace_files:-100}    # per directory
echo "TRACE-LINUX workload dirs=$DIRS files_per_dir=$FILES"
d=0
while [ $d -lt "$DIRS" ]; do
	mkdir -p $W/d$d/sub
	f=0
	while [ $f -lt "$FILES" ]; do
		# Mixed sizes: mostly small, some of a few pages, a few of 64 KiB and more.
		n=$(( (d * FILES + f) * 2654435761 % 4294967296 ))
		case $(( n % 10 )) in
		0 | 1 | 2 | 3) size=$(( n % 200 )) ;;
		4 | 5 | 6) size=$(( n % 4096 )) ;;
		7 | 8) size=$(( n % 32768 )) ;;
		9) size=$(( 65536 + n % 131072 )) ;;
		esac
		head -c $size /dev/zero > $W/d$d/f$f
		[ $(( f % 10 )) = 0 ] && echo "file $d $f" > $W/d$d/sub/note$f
		f=$(( f + 1 ))
	done
	d=$(( d + 1 ))
done
# Directory walks and reads.
find $W -type f | wc -l
ls -lR $W > /dev/null
du -s $W
find $W -name 'f1*' -exec cat {} + | wc -c
# Pipes between processes.
cat $W/d1/* | gzip -1 | gunzip | md5sum
find $W -type f | sort | xargs cat | wc -c
i=0
while [ $i -lt 200 ]; do
	echo "line $i" | sed 's/line/LINE/' | tr A-Z a-z | grep -c line > /dev/null
	i=$(( i + 1 ))
done
# Renames, then deletion.
d=0
while [ $d -lt "$DIRS" ]; do
	mv $W/d$d $W/gone$d
	rm -rf $W/gone$d
	d=$(( d + 1 ))
done
umount $W

# ---- the trace out ---------------------------------------------------------
echo 0 > $T/tracing_on
for stats in $T/per_cpu/cpu*/stats; do
	cpu=${stats%/stats}
	cpu=${cpu##*/cpu}
	echo "TRACE-LINUX stats cpu=$cpu $(sed 's/: */=/; s/ /_/g' $stats | tr '\n' ' ')"
done
for event in $(cat $T/set_event); do
	echo "TRACE-LINUX format $event"
	cat $T/events/${event%%:*}/${event#*:}/format
done
# The trace goes out gzip-compressed (a tenth of the bytes through the
# UART), in raw mode so no byte is translated; the host checks its size
# and checksum against the "sent" line.
gzip -1 < $T/trace > /tmp/trace.gz || fail "gzip of the trace failed"
stty -F /dev/ttyS1 raw -echo 115200 || fail "no second serial port"
cat /tmp/trace.gz > /dev/ttyS1 || fail "writing ttyS1 failed"
echo "TRACE-LINUX sent bytes=$(wc -c < /tmp/trace.gz) md5=$(md5sum < /tmp/trace.gz | cut -d ' ' -f 1)"
echo "TRACE-LINUX done"
sleep 1 # let the console drain
poweroff -f
