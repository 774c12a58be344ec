#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive the monitor of a running Ferrite and check its answers.

usage: monitor-check.py serial --iso FILE --log FILE [--timeout S]
       monitor-check.py keyboard --iso FILE --log FILE --screendump FILE.ppm [--timeout S]

serial: boots the ISO (its command line must hold "monitor exit=qemu") with
COM1 on a Unix socket, types a script of commands as a terminal would
(including backspace, Ctrl-U, Ctrl-C and the up arrow's escape sequence),
and checks each answer: slabinfo moves by one active object in the right
kmalloc class (SLOB, named in the boot log: its one pseudo cache kmalloc-slob), bad input is refused with one line and changes nothing,
allocations are listed by held and freed, verify stays clean, a failed
allocation leaks nothing, and `halt` ends QEMU with the pass status.

keyboard: boots the same ISO with no serial input typed; every key goes
through QEMU's `sendkey` (the PS/2 keyboard, IRQ 1).  The answers are read
from the serial log (output goes to every console) and the screen is
checked with a screendump: the text rows are decoded with the kernel's
own font (kernel/font8x16.c, which the UEFI framebuffer console draws
with) and must show the typed command and its answer.

Exit status 0 if every check passed; the transcript is in the log file.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

PROMPT = b"ferrite> "
HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


class Machine:
    """QEMU running the ISO, with the serial port on a socket."""

    def __init__(self, iso, log_path, extra, timeout):
        self.dir = tempfile.mkdtemp(prefix="ferrite-monitor.")
        self.serial_path = os.path.join(self.dir, "serial")
        self.monitor_path = os.path.join(self.dir, "monitor")
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        self.log = open(log_path, "wb")
        self.timeout = timeout
        self.buffer = b""
        self.qemu = subprocess.Popen(
            [os.path.join(HERE, "qemu.sh"), "--iso", iso, "--exit-device",
             "--serial-socket", self.serial_path, "--monitor", self.monitor_path] + extra,
            stdout=open(log_path + ".qemu", "wb"), stderr=subprocess.STDOUT)
        self.serial = self._connect(self.serial_path)
        self.serial.settimeout(0.2)

    def _connect(self, path):
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(path)
                    return s
                except OSError:
                    s.close()
            if self.qemu.poll() is not None:
                raise Failure("QEMU exited before its sockets appeared")
            time.sleep(0.1)
        raise Failure("QEMU's socket %s never appeared" % path)

    def read_until(self, token, limit=None):
        """Return the serial output up to and including @token."""
        deadline = time.time() + (limit or self.timeout)
        while token not in self.buffer:
            if time.time() > deadline:
                raise Failure("no %r within %ss; last output:\n%s" % (
                    token, limit or self.timeout, self.buffer[-600:].decode(errors="replace")))
            try:
                data = self.serial.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise Failure("the serial socket closed; last output:\n" +
                              self.buffer[-600:].decode(errors="replace"))
            self.log.write(data)
            self.log.flush()
            self.buffer += data
        end = self.buffer.index(token) + len(token)
        out, self.buffer = self.buffer[:end], self.buffer[end:]
        return out.decode(errors="replace").replace("\r\n", "\n")

    def settle(self, quiet=1.0, limit=30):
        """Keep reading until the serial output has been silent for @quiet seconds."""
        deadline = time.time() + limit
        last = time.time()
        while time.time() - last < quiet:
            if time.time() > deadline:
                raise Failure("serial output never went quiet within %ss" % limit)
            try:
                data = self.serial.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise Failure("the serial socket closed")
            self.log.write(data)
            self.log.flush()
            self.buffer += data
            last = time.time()

    def type(self, text):
        """Send @text (bytes as typed) and return the answer up to the next prompt."""
        self.serial.sendall(text.encode() if isinstance(text, str) else text)
        answer = self.read_until(PROMPT)
        return answer[:-len(PROMPT)]

    def qemu_monitor(self, commands):
        s = self._connect(self.monitor_path)
        s.settimeout(2)
        for command in commands:
            s.sendall((command + "\n").encode())
        time.sleep(0.1)
        try:
            while s.recv(65536):
                pass
        except socket.timeout:
            pass
        s.close()

    def finish(self, limit=20):
        try:
            return self.qemu.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.qemu.kill()
            self.qemu.wait()
            raise Failure("QEMU did not exit after halt")

    def close(self):
        if self.qemu.poll() is None:
            self.qemu.kill()
            self.qemu.wait()
        self.log.close()


checks = 0


def expect(condition, what, answer=""):
    global checks
    checks += 1
    if not condition:
        raise Failure("%s\n--- answer was:\n%s" % (what, answer))


def one_line(answer):
    """The answer without the echoed command line: must be exactly one line."""
    lines = answer.split("\n")[1:]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def run(s, command):
    return s.type(command + "\r")


def slab_active(answer, cache):
    m = re.search(r"^%s\s+(\d+)\s+(\d+)" % re.escape(cache), answer, re.M)
    expect(m, "slabinfo has a %s line" % cache, answer)
    return int(m.group(1))


def refused(s, command, pattern):
    answer = run(s, command)
    lines = one_line(answer)
    expect(len(lines) == 1 and re.search(pattern, lines[0]),
           "%r is refused with one line matching %r" % (command, pattern), answer)
    return lines[0]


def vmalloc_used(s):
    answer = run(s, "meminfo")
    m = re.search(r"VmallocUsed:\s+(\d+) kB in (\d+) areas", answer)
    expect(m, "meminfo shows VmallocUsed", answer)
    return int(m.group(1)), int(m.group(2))


def back_end(boot):
    """The slab back-end the boot log names ("slab: back-end NAME"); SLUB if none."""
    m = re.search(r"slab: back-end (\S+)", boot)
    return m.group(1) if m else "slub"


def slab_live_object_checks(s, answer, k100, before):
    """SLUB and SLAB: a live kmem_cache object (the first of a full slab) is refused even with --force."""
    # The first full slab in the list (a CPU's slab may come first, partly free).
    m = next((f for f in re.finditer(r"slab (0x[0-9a-f]+)\s+inuse\s+(\d+)/(\d+)([^\n]*)", answer)
              if f.group(2) == f.group(3) != "0"), None)
    expect(m is not None, "slab kmem_cache shows a full slab", answer)
    # Its first object: the slab's start, unless the line names another (SLAB's colouring).
    first = re.search(r"first object (0x[0-9a-f]+)", m.group(4))
    live = int((first or m).group(1), 16)
    refused(s, "kfree --force 0x%x" % live, r"refused even with --force: 0x%x is a live object" % live)
    refused(s, "cache free --force kmem_cache 0x%x" % live, r"refused even with --force")
    expect(slab_active(run(s, "slabinfo"), k100) == before + 1, "refused frees changed nothing")


def slob_live_object_checks(s, answer, k100, before):
    """SLOB: `slab` shows no object addresses (blocks of all caches share pages), so the
    kernel's own objects cannot be named here; instead the cache of caches' blocks must be
    counted on the shared pages that hold them, and a block of kmalloc-slob forced into
    kmem_cache must be refused by the allocator, which reads the owner from its header."""
    m = re.search(r"^\s+(\d+) in use, \d+ held", answer, re.M)
    pages = [int(n) for n in re.findall(r"page 0x[0-9a-f]+\s+(\d+) blocks of kmem_cache", answer)]
    expect(m and pages and sum(pages) == int(m.group(1)),
           "slab kmem_cache counts its blocks on the shared pages as in use", answer)
    answer = run(s, "kmalloc 8")
    mine = re.search(r"= (0x[0-9a-f]+) \(kmalloc-slob, 8 usable bytes\)", answer)
    expect(mine, "kmalloc 8 answers with a block of kmalloc-slob", answer)
    answer = run(s, "cache free --force kmem_cache %s" % mine.group(1))
    expect("slab: free into the wrong cache: cache kmem_cache, object %s" % mine.group(1) in answer and
           "the object belongs to cache kmalloc-slob" in answer,
           "a forced free into the wrong cache shows the allocator's report, naming the owner", answer)
    expect(slab_active(run(s, "slabinfo"), k100) == before + 2, "the refused free changed nothing")
    answer = run(s, "kfree %s" % mine.group(1))
    expect("done" in answer, "kfree of kmalloc 8", answer)


def serial_script(s):
    backend = back_end(s.read_until(PROMPT, 60))
    # SLOB has no kmalloc caches: every kmalloc below a page is a block of the pseudo cache
    # kmalloc-slob, as long as asked (rounded to 8 bytes), in pages shared by all caches.
    slob = backend == "slob" or re.search(r"^kmalloc-slob ", run(s, "slabinfo"), re.M) is not None
    k100, k100_usable = ("kmalloc-slob", 104) if slob else ("kmalloc-128", 128)

    answer = run(s, "help")
    for name in ("kmalloc", "cache create", "fragmap", "verify", "held", "halt"):
        expect(re.search(r"^  %s " % name, answer, re.M), "help lists %s" % name, answer)
    long_lines = [l for l in answer.split("\n") if len(l) > 79]
    expect(not long_lines, "help fits 80 columns", "\n".join(long_lines))
    answer = run(s, "help cache free")
    expect("usage: cache free [--force] NAME ADDR" in answer, "help CMD shows the usage", answer)

    # Bad input: one line each, nothing changes (checked by held and verify below).
    refused(s, "frobnicate 1 2", r"^frobnicate: unknown command \(type 'help'")
    refused(s, "kmalloc", r"^usage: kmalloc SIZE \[GFP\]$")
    refused(s, "cache", r"^cache: say which: cache create, alloc, free, destroy")
    refused(s, "kmalloc 1 2 3", r"^usage: kmalloc")
    refused(s, "kmalloc 12x", r"^kmalloc: '12x' is not a number")
    refused(s, "kmalloc 0", r"^kmalloc: SIZE 0 is out of range")
    refused(s, "kmalloc 99999999999999999999", r"is not a number")
    refused(s, "kmalloc 64 GFP_KERNAL", r"^kmalloc: 'GFP_KERNAL' is not a GFP flag")
    refused(s, "alloc_pages 10 GFP_KERNEL|__GFP_NOFAIL", r"__GFP_NOFAIL is refused here")
    refused(s, "alloc_pages 11", r"^alloc_pages: ORDER 11 is out of range \(0\.\.10\)")
    refused(s, "slab no-such-cache", r"^slab: no cache called 'no-such-cache'")
    refused(s, "page 0xffffffffffff0000", r"^page: .* neither a frame number")
    refused(s, "pt 0x0000900000000000", r"not a canonical address")
    refused(s, "cache destroy %s" % ("kmalloc-slob" if slob else "kmalloc-64"), r"not made by cache create")
    refused(s, "free_pages 0x1000 0", r"was not handed out by this monitor")
    refused(s, "vfree 0xffffc90000000000", r"was not handed out by this monitor")

    # kmalloc 100 adds one active object to kmalloc-128 (SLOB: kmalloc-slob), kfree takes it back.
    before = slab_active(run(s, "slabinfo"), k100)
    answer = run(s, "kmalloc 100")
    m = re.search(r"kmalloc\(100, GFP_KERNEL\) = (0x[0-9a-f]+) \(%s, %d usable bytes\)" % (k100, k100_usable),
                  answer)
    expect(m, "kmalloc 100 answers with an address in %s, %d usable bytes" % (k100, k100_usable), answer)
    address = int(m.group(1), 16)
    expect(slab_active(run(s, "slabinfo"), k100) == before + 1,
           "slabinfo: one more active %s object after kmalloc 100" % k100)
    answer = run(s, "page 0x%x" % address)
    # SLOB's shared pages belong to its pseudo cache of free space, slob-free.
    expect(re.search(r"flags: 0x[0-9a-f]+\(head\|slab\)", answer) and
           "slab of cache %s" % ("slob-free" if slob else k100) in answer,
           "page decodes the object's slab page", answer)
    answer = run(s, "pt 0x%x" % address)
    expect("-> phys" in answer, "pt walks the object's address", answer)
    answer = run(s, "slab %s" % k100)
    # SLUB: CPU 0's slab and freelist; SLAB (make SLAB_BACKEND=slab): CPU 0's array;
    # SLOB: the shared page holding the block (kept by no CPU).
    if slob:
        expect(re.search(r"^\s+%d in use, \d+ held" % (before + 1), answer, re.M) and
               re.search(r"page 0x%x\s+\d+ blocks of kmalloc-slob" % (address & ~0xfff), answer),
               "slab shows the in-use count and the page holding the block", answer)
    else:
        expect(re.search(r"cpu 0 slab: freelist|cpu 0: \d+/\d+ objects", answer), "slab shows the CPU slab", answer)

    # An address the monitor did not hand out: refused; --force shows the allocator's report.
    refused(s, "kfree 0x%x" % (address + 8), r"was not handed out by this monitor.*--force")
    answer = run(s, "kfree --force 0x%x" % (address + 8))
    expect("free of a pointer into the middle of an object: cache %s" % k100 in answer,
           "kfree --force of a middle pointer shows the slab's report", answer)
    answer = run(s, "kfree --force 0xffff888000001000")
    expect("was not allocated by kmalloc" in answer, "kfree --force of a non-slab page is reported",
           answer)
    # --force never frees what the kernel holds: a live object of the cache of caches.
    answer = run(s, "slab kmem_cache")
    if slob:
        slob_live_object_checks(s, answer, k100, before)
    else:
        slab_live_object_checks(s, answer, k100, before)
    answer = run(s, "kfree 0x%x" % address)
    expect("kfree(0x%x) done" % address in answer, "kfree of the held object", answer)
    expect(slab_active(run(s, "slabinfo"), k100) == before,
           "slabinfo back to where it was after kfree")
    answer = run(s, "kfree --force 0x%x" % address)
    expect(re.search(r"double free: cache %s" % k100, answer),
           "a forced second kfree shows the double-free report", answer)
    expect(slab_active(run(s, "slabinfo"), k100) == before,
           "the double free changed nothing")

    # A burst of allocations, listed by held, freed, verify clean.
    answer = run(s, "cache create monitest 72 0 FZ")
    expect("cache monitest: object 72 bytes" in answer, "cache create", answer)
    refused(s, "cache create monitest 72", r"exists already")
    made = {}
    for command, pattern in (("kmalloc 5000 GFP_KERNEL|__GFP_ZERO",
                              r"= (0x[0-9a-f]+) \(kmalloc-%s" % ("slob, 8192 usable" if slob else "8192")),
                             ("kmalloc 64K", r"= (0x[0-9a-f]+) \(pages"),
                             ("alloc_pages 3", r"= (0x[0-9a-f]+) \(pfn"),
                             ("vmalloc 64K", r"= (0x[0-9a-f]+) \(16 pages\)"),
                             ("cache alloc monitest", r"= (0x[0-9a-f]+)"),
                             ("cache alloc monitest", r"= (0x[0-9a-f]+)")):
        answer = run(s, command)
        m = re.search(pattern, answer)
        expect(m, "%s answers with an address" % command, answer)
        made.setdefault(command, []).append(m.group(1))
    answer = run(s, "held")
    expect("held: 6 allocations" in answer, "held lists the six allocations", answer)
    for addresses in made.values():
        for a in addresses:
            expect(a in answer, "held shows %s" % a, answer)
    refused(s, "cache destroy monitest", r"2 objects of monitest are held")
    refused(s, "free_pages %s 2" % made["alloc_pages 3"][0], r"is a block of order 3, not 2")
    answer = run(s, "free_pages --force %s 2" % made["alloc_pages 3"][0])
    expect(re.search(r"page allocator: free with the wrong order: .* order 2", answer) and
           "allocated with order 3" in answer, "a forced wrong-order free shows the buddy's report",
           answer)
    answer = run(s, "free_pages --force 0x%x 0" % (int(made["alloc_pages 3"][0], 16) + 4096))
    expect("free of a page inside a block (not its first page)" in answer,
           "a forced free inside a block shows the buddy's report", answer)
    refused(s, "kfree %s" % made["vmalloc 64K"][0], r"was handed out by vmalloc")
    obj = made["cache alloc monitest"][0]
    answer = run(s, "cache free monitest %s" % obj)
    expect("done" in answer, "cache free", answer)
    answer = run(s, "cache free --force monitest %s" % obj)
    expect("double free: cache monitest" in answer, "forced double free in a debug cache is reported",
           answer)
    answer = run(s, "verify")
    expect("verify: all clean" in answer, "verify clean with allocations held", answer)
    for command in ("kfree %s" % made["kmalloc 5000 GFP_KERNEL|__GFP_ZERO"][0],
                    "kfree %s" % made["kmalloc 64K"][0],
                    "free_pages %s 3" % made["alloc_pages 3"][0],
                    "vfree %s" % made["vmalloc 64K"][0],
                    "cache free monitest %s" % made["cache alloc monitest"][1],
                    "cache destroy monitest"):
        answer = run(s, command)
        expect(re.search(r"done|kmem_cache_destroy\(monitest\)", answer), command, answer)
    answer = run(s, "held")
    expect("held: nothing" in answer, "held is empty after freeing everything", answer)
    answer = run(s, "verify")
    expect(answer.count(" ok\n") == 3 and "verify: all clean" in answer,
           "verify: three validators ok after the burst", answer)

    # A failed allocation: the OOM report, then the prompt, and nothing leaked.
    used = vmalloc_used(s)
    answer = run(s, "vmalloc 1G")
    expect("vmalloc error: size 1073741824, page order 0, failed to allocate pages" in answer and
           "vmalloc: vmalloc(1073741824) failed: out of memory" in answer,
           "vmalloc 1G: the allocator's report, then a one-line refusal", answer)
    expect(vmalloc_used(s) == used, "the failed vmalloc left nothing behind")
    answer = run(s, "verify")
    expect("verify: all clean" in answer, "verify clean after the failed allocation", answer)

    # Line editing as a terminal sends it.
    answer = s.type("kmallox\x7fc 3\x08200\r")
    expect(re.search(r"kmalloc\(200, GFP_KERNEL\) = (0x[0-9a-f]+) \(kmalloc-%s" % ("slob, 200 usable" if slob else "256"),
                     answer),
           "DEL and BS edit the line", answer)
    address = re.search(r"= (0x[0-9a-f]+)", answer).group(1)
    answer = s.type("garbage\x15held\r")
    expect("held: 1 allocations" in answer, "Ctrl-U erases the line", answer)
    s.serial.sendall(b"kmalloc 1\x03")
    s.read_until(PROMPT)
    answer = s.type("\x1b[A\r")
    expect("held: 1 allocations" in answer, "Up recalls the last line (Ctrl-C's line is not history)",
           answer)
    answer = s.type("\x1b[A\x1b[A\x1b[B\r")
    expect("held: 1 allocations" in answer, "Up, Up, Down lands on the newest line again", answer)
    run(s, "kfree %s" % address)

    # Inspection commands answer in their formats.
    for command, pattern in (("meminfo", r"MemTotal:\s+\d+ kB"),
                             ("buddyinfo", r"Node 0, zone\s+DMA32(\s+\d+){11}"),
                             ("zoneinfo", r"pages free\s+\d+\n\s+min\s+\d+"),
                             ("vmallocinfo", r"vmalloc: \d+ areas, \d+ pages"),
                             ("ptdump 0xffffffff80000000 0xffffffff80400000", r"---\[ Kernel image \]---"),
                             ("cpus", r"CPU  APIC-ID"),
                             ("irqs", r"4:\s+[1-9]\d*\s+IO-APIC\s+4-edge\s+ttyS0"),
                             ("tlb", r"tlb: "),
                             ("dmesg", r"monitor: input from the serial port"),
                             ("fragmap", r"legend: '\.' free"),
                             ("slab_debug", r"slab_debug: off"),
                             ("page_poison on", r"page_poison: on"),
                             ("page_poison off", r"page_poison: off")):
        answer = run(s, command)
        expect(re.search(pattern, answer), "%s answers (/%s/)" % (command, pattern), answer)
    # A flood of typing while a command runs: the ring drops what does not fit (and
    # says so), the input interrupt keeps coming, and the next line works.
    s.serial.sendall(b"test apic,monitor_*\r" + b"x" * 3000)
    answer = s.read_until(PROMPT)
    # The apic suite requests IRQs 1 and 4 itself: the monitor must lend them.
    expect(re.search(r"test: 0 failed", answer) and re.search(r"^ok \d+ apic$", answer, re.M),
           "test runs the suites, the apic suite (IRQ 1 and IRQ 4 cases) too", answer)
    # The rest of the flood (echoed, or dropped when the ring is full) must be
    # through before the next line is typed, or the ring may drop that line too.
    s.settle()
    answer = s.type("\x15held\r")
    expect("held: nothing" in answer, "the monitor still answers after a flood of input", answer)
    answer = run(s, "verify")
    expect("verify: all clean" in answer, "verify clean at the end", answer)

    s.serial.sendall(b"halt\r")
    status = s.finish()
    expect(status == 33, "halt ends the run with the pass status (QEMU 33, got %s)" % status)


# ---- keyboard ----------------------------------------------------------------

KEY_NAMES = {" ": "spc", "-": "minus", "=": "equal", ".": "dot", ",": "comma", "/": "slash",
             "*": "shift-8", "_": "shift-minus", "\n": "ret"}


def sendkeys(s, text):
    keys = []
    for c in text:
        if c in KEY_NAMES:
            keys.append(KEY_NAMES[c])
        elif c.isupper():
            keys.append("shift-" + c.lower())
        else:
            keys.append(c)
    # A 20 ms hold: QEMU plays the keys one after another, each held that long.
    s.qemu_monitor(["sendkey %s 20" % k for k in keys])


def load_font(path):
    """The kernel's 8x16 glyphs: {bitmap rows tuple: character}."""
    text = open(path).read()
    glyphs = {}
    for m in re.finditer(r"\[(0x[0-9a-fA-F]+) - FONT_FIRST_CHAR\] = \{ /\*.*?\*/\s*((?:0x[0-9a-fA-F]{2},\s*){16})",
                         text):
        rows = tuple(int(v, 16) for v in re.findall(r"0x[0-9a-fA-F]{2}", m.group(2)))
        glyphs.setdefault(rows, chr(int(m.group(1), 16)))
    return glyphs


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1:]


def screen_text(ppm, font_path):
    """Decode the framebuffer console's text: 8x16 cells from the top left, the kernel's font."""
    glyphs = load_font(font_path)
    expect(len(glyphs) > 90, "the font has the printable ASCII glyphs (%d)" % len(glyphs))
    width, height, pixels = read_ppm(ppm)
    background = pixels[0:3]
    lit = [pixels[i:i + 3] != background for i in range(0, width * height * 3, 3)]
    lines = []
    for row in range(height // 16):
        line = ""
        for col in range(width // 8):
            bits = tuple(sum(1 << (7 - b) for b in range(8) if lit[(row * 16 + r) * width + col * 8 + b])
                         for r in range(16))
            line += glyphs.get(bits, "?") if any(bits) else " "
        lines.append(line.rstrip())
    return lines


def keyboard_script(s, dump, font):
    # Nothing is typed on the serial port here: the back-end is read from the boot log.
    k100 = "kmalloc-slob" if back_end(s.read_until(PROMPT, 60)) == "slob" else "kmalloc-128"
    sendkeys(s, "kmalloc 100\n")
    answer = s.read_until(PROMPT)
    expect(re.search(r"kmalloc\(100, GFP_KERNEL\) = 0x[0-9a-f]+ \(%s" % k100, answer),
           "kmalloc typed on the keyboard answers", answer)
    # Shift, backspace and the history: "helo", BS, "d" -> "held"; then Up + Enter repeats it.
    s.qemu_monitor(["sendkey %s 20" % k for k in ("h", "e", "l", "o", "backspace", "d", "ret")])
    answer = s.read_until(PROMPT)
    expect("held: 1 allocations" in answer, "backspace on the keyboard", answer)
    s.qemu_monitor(["sendkey up 20", "sendkey ret 20"])
    answer = s.read_until(PROMPT)
    expect("held: 1 allocations" in answer, "the up arrow recalls the line", answer)
    # Ctrl-U erases the typed line, Ctrl-C abandons one; Shift gives capitals and symbols.
    s.qemu_monitor(["sendkey %s 20" % k for k in ("x", "y", "ctrl-u", "i", "r", "q", "s", "ret")])
    answer = s.read_until(PROMPT)
    expect(re.search(r"^\s*1:\s+[1-9]\d*\s+IO-APIC\s+1-edge\s+i8042", answer, re.M),
           "Ctrl-U on the keyboard, and irqs counts IRQ 1", answer)
    s.qemu_monitor(["sendkey %s 20" % k for k in ("h", "a", "l", "t", "ctrl-c")])
    s.read_until(PROMPT)
    sendkeys(s, "pt Q_\n")
    answer = s.read_until(PROMPT)
    expect("pt: 'Q_' is not a number" in answer, "Shift on the keyboard (a capital, '_')", answer)
    sendkeys(s, "verify\n")
    answer = s.read_until(PROMPT)
    expect("verify: all clean" in answer, "verify typed on the keyboard", answer)
    time.sleep(0.5)
    s.qemu_monitor(["screendump " + dump])
    time.sleep(0.5)
    lines = screen_text(dump, font)
    screen = "\n".join(lines)
    expect(re.search(r"ferrite> kmalloc 100", screen), "the screen shows the typed command", screen)
    expect(re.search(r"kmalloc\(100, GFP_KERNEL\) = 0x[0-9a-f]+ \(%s" % k100, screen),
           "the screen shows kmalloc's answer", screen)
    expect("verify: all clean" in screen, "the screen shows verify's answer", screen)
    sendkeys(s, "halt\n")
    status = s.finish()
    expect(status == 33, "halt from the keyboard ends the run (got %s)" % status)


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("serial", "keyboard"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, options = args[0], dict(zip(args[1::2], args[2::2]))
    iso, log = options.get("--iso"), options.get("--log")
    timeout = float(options.get("--timeout", 30))
    if not iso or not log:
        print("monitor-check.py: --iso and --log are required", file=sys.stderr)
        return 2
    extra = ["--firmware", "uefi"] if mode == "keyboard" else []
    machine = None
    try:
        machine = Machine(iso, log, extra, timeout)
        if mode == "serial":
            serial_script(machine)
        else:
            keyboard_script(machine, options["--screendump"],
                             os.path.join(HERE, "..", "kernel", "font8x16.c"))
    except Failure as failure:
        print("monitor-check.py %s: FAILED after %d checks: %s" % (mode, checks, failure))
        return 1
    finally:
        if machine:
            machine.close()
    print("monitor-check.py %s: %d checks passed" % (mode, checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
