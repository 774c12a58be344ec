#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot the test kernel under UEFI with no serial port at all, wait for its
# "pass"/"fail" word on the debug port (0xE9), take a screendump through
# QEMU's monitor and check that the on-screen console drew the results.
#
# usage: screen-check.sh --iso FILE --debugcon-log FILE --screendump FILE.ppm [--timeout S]
# Exit status: 0 if the run passed and the screen shows text.
set -eu

iso="" debugcon="" dump="" limit=150
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--debugcon-log) debugcon=$2; shift ;;
	--screendump) dump=$2; shift ;;
	--timeout) limit=$2; shift ;;
	*) echo "screen-check.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$iso" ] && [ -n "$debugcon" ] && [ -n "$dump" ] || { echo "screen-check.sh: missing option" >&2; exit 2; }

dir=$(mktemp -d /tmp/ferrite-screen.XXXXXX)
socket=$dir/monitor
qemu_pid=""
trap 'rm -rf "$dir"; [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true' EXIT
rm -f "$debugcon" "$dump"
here=$(dirname "$0")

"$here/qemu.sh" --iso "$iso" --firmware uefi --mem 256M --no-serial \
	--debugcon "$debugcon" --monitor "$socket" &
qemu_pid=$!

waited=0
until grep -aqE '^(pass|fail|crash)' "$debugcon" 2>/dev/null; do
	if ! kill -0 "$qemu_pid" 2>/dev/null; then
		echo "screen-check.sh: QEMU exited before the kernel finished" >&2
		exit 1
	fi
	if [ $waited -ge $((limit * 2)) ]; then
		echo "screen-check.sh: no result on the debug port after ${limit}s" >&2
		exit 1
	fi
	sleep 0.5
	waited=$((waited + 1))
done
sleep 1   # let the last lines reach the screen

python3 - "$socket" "$dump" <<'PY'
import socket, sys, time
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
sock.settimeout(10)
def command(text):
    sock.sendall((text + "\n").encode())
    time.sleep(1)
    try:
        sock.recv(65536)
    except socket.timeout:
        pass
command("screendump " + sys.argv[2])
command("quit")
PY
wait "$qemu_pid" 2>/dev/null || true

result=$(grep -aoE '^(pass|fail|crash)' "$debugcon" | head -n 1)
echo "kernel result on the debug port: $result"

python3 - "$dump" <<'PY'
# The screen must show many lines of text: count 16-pixel character rows
# that contain lit pixels, and make sure the picture is neither blank nor
# filled.
import sys
data = open(sys.argv[1], "rb").read()
fields, pos = [], 0
while len(fields) < 4:
    while data[pos:pos + 1].isspace():
        pos += 1
    if data[pos:pos + 1] == b"#":
        pos = data.index(b"\n", pos)
        continue
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
pixels = data[pos + 1:]
assert fields[0] == b"P6", "not a binary PPM"
width, height = int(fields[1]), int(fields[2])
background = pixels[0:3]
lit_rows = set()
lit = 0
for y in range(height):
    row = pixels[y * width * 3:(y + 1) * width * 3]
    for x in range(0, width * 3, 3):
        if row[x:x + 3] != background:
            lit += 1
            lit_rows.add(y // 16)
fraction = lit / (width * height)
print(f"screen {width}x{height}: {len(lit_rows)} text rows with pixels, {fraction:.1%} lit")
if len(lit_rows) < 10:
    sys.exit("screen check: fewer than 10 rows of text on the screen")
if fraction > 0.5:
    sys.exit("screen check: more than half the screen is lit; not text")
PY
[ "$result" = pass ] || { echo "screen-check.sh: the kernel reported '$result'" >&2; exit 1; }
