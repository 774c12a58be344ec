#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate kernel/font8x16.c, the console's embedded 8x16 bitmap font.

The glyphs for the printable ASCII range U+0020..U+007E are taken from an
8x16 PC Screen Font (PSF1 or PSF2, optionally gzip-compressed) by looking
each code point up in the font's Unicode table, so the font's own glyph
order does not matter.  The default source is Terminus Font 16 (normal
weight) as packaged by Debian's console-setup-linux, licensed under the
SIL Open Font License 1.1; the licence text is copied from the package's
copyright file into the generated file's header, as the OFL requires.

Usage:
    scripts/gen-font.py [--font FILE.psf[.gz]] [--license-file FILE[.gz]] \
                        [--output kernel/font8x16.c]

Needs: apt-get install console-setup-linux
"""

import argparse
import gzip
import struct
import sys

DEFAULT_FONT = "/usr/share/consolefonts/Uni2-Terminus16.psf.gz"
DEFAULT_LICENSE = "/usr/share/doc/console-setup-linux/copyright.fonts.gz"
DEFAULT_OUTPUT = "kernel/font8x16.c"

FIRST_CHAR = 0x20
LAST_CHAR = 0x7E
WIDTH = 8
HEIGHT = 16

# Drawn here, not taken from the font: a hollow box shown for every byte
# the font has no glyph for.
PLACEHOLDER = [
    0x00, 0x00, 0x7E, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x42, 0x42, 0x42, 0x42, 0x7E, 0x00, 0x00, 0x00,
]

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE_512 = 0x01
PSF1_MODE_HAS_TAB = 0x02
PSF1_MODE_SEQ = 0x04
PSF1_SEPARATOR = 0xFFFF
PSF1_START_SEQ = 0xFFFE

PSF2_MAGIC = b"\x72\xb5\x4a\x86"
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_START_SEQ = 0xFE


def read_maybe_gzip(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def parse_psf1(data):
    """Return (glyphs, width, height, unicode_map) of a PSF1 font."""
    mode, charsize = data[2], data[3]
    count = 512 if mode & PSF1_MODE_512 else 256
    offset = 4
    glyphs = [data[offset + i * charsize: offset + (i + 1) * charsize] for i in range(count)]
    unicode_map = {}
    if mode & (PSF1_MODE_HAS_TAB | PSF1_MODE_SEQ):
        position = offset + count * charsize
        for index in range(count):
            in_sequence = False
            while True:
                (value,) = struct.unpack_from("<H", data, position)
                position += 2
                if value == PSF1_SEPARATOR:
                    break
                if value == PSF1_START_SEQ:
                    in_sequence = True  # combining sequences are not single code points
                    continue
                if not in_sequence:
                    unicode_map.setdefault(value, index)
    return glyphs, 8, charsize, unicode_map


def decode_utf8_run(data, position):
    """Decode one UTF-8 code point at position; return (code point, next position)."""
    lead = data[position]
    if lead < 0x80:
        return lead, position + 1
    length = 2 if lead >= 0xC0 and lead < 0xE0 else 3 if lead < 0xF0 else 4
    return ord(data[position:position + length].decode("utf-8")), position + length


def parse_psf2(data):
    """Return (glyphs, width, height, unicode_map) of a PSF2 font."""
    (_, _, header_size, flags, count, charsize, height, width) = struct.unpack_from("<4sIIIIIII", data, 0)
    glyphs = [data[header_size + i * charsize: header_size + (i + 1) * charsize] for i in range(count)]
    unicode_map = {}
    if flags & PSF2_HAS_UNICODE_TABLE:
        position = header_size + count * charsize
        for index in range(count):
            in_sequence = False
            while True:
                byte = data[position]
                if byte == PSF2_SEPARATOR:
                    position += 1
                    break
                if byte == PSF2_START_SEQ:
                    in_sequence = True
                    position += 1
                    continue
                code_point, position = decode_utf8_run(data, position)
                if not in_sequence:
                    unicode_map.setdefault(code_point, index)
    return glyphs, width, height, unicode_map


def parse_psf(data):
    if data[:2] == PSF1_MAGIC:
        return parse_psf1(data)
    if data[:4] == PSF2_MAGIC:
        return parse_psf2(data)
    raise SystemExit("not a PSF1 or PSF2 font")


def terminus_license(path):
    """The Terminus Font section (copyright notice and OFL text) of Debian's font copyright file."""
    text = read_maybe_gzip(path).decode("utf-8")
    start = text.find("Terminus Font is licensed under")
    if start < 0:
        raise SystemExit(f"{path}: no Terminus Font licence found")
    end = text.find("\n== ", start)
    section = text[start:end if end >= 0 else len(text)]
    return [line.rstrip() for line in section.strip("\n").splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", default=DEFAULT_FONT)
    parser.add_argument("--license-file", default=DEFAULT_LICENSE)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()

    glyphs, width, height, unicode_map = parse_psf(read_maybe_gzip(arguments.font))
    if width != WIDTH or height != HEIGHT:
        raise SystemExit(f"{arguments.font}: glyphs are {width}x{height}, need {WIDTH}x{HEIGHT}")

    rows = []
    for code_point in range(FIRST_CHAR, LAST_CHAR + 1):
        if unicode_map:
            if code_point not in unicode_map:
                raise SystemExit(f"{arguments.font}: no glyph for U+{code_point:04X}")
            glyph = glyphs[unicode_map[code_point]]
        else:
            glyph = glyphs[code_point]
        rows.append(list(glyph[:HEIGHT]))

    non_space = [tuple(r) for r, c in zip(rows, range(FIRST_CHAR, LAST_CHAR + 1)) if c != 0x20]
    if len(set(non_space)) != len(non_space) or tuple(PLACEHOLDER) in non_space:
        raise SystemExit("two glyphs are identical, or one equals the placeholder")

    license_lines = terminus_license(arguments.license_file)
    font_name = arguments.font.rsplit("/", 1)[-1]
    out = []
    out.append("// SPDX-License-Identifier: OFL-1.1")
    out.append("/*")
    out.append(" * The console's 8x16 bitmap font: the printable ASCII glyphs U+0020..U+007E")
    out.append(" * and a placeholder box, one byte per pixel row, most significant bit = leftmost")
    out.append(" * pixel.  Read through font_glyph() in include/font.h.")
    out.append(" *")
    out.append(f" * Glyph data extracted from {font_name} (Debian console-setup-linux),")
    out.append(" * which is built from Terminus Font ter-u16n.bdf; the placeholder box is not")
    out.append(" * part of that font.  Being font data, this file is under the SIL Open Font")
    out.append(" * License 1.1, reproduced below, not under the kernel's MIT licence.")
    out.append(" *")
    out.append(" * Generated by:")
    out.append(" *   scripts/gen-font.py --font " + arguments.font + " \\")
    out.append(" *           --license-file " + arguments.license_file + " \\")
    out.append(" *           --output " + arguments.output)
    out.append(" * Do not edit by hand; run the command again instead.")
    out.append(" *")
    for line in license_lines:
        out.append((" * " + line).rstrip())
    out.append(" */")
    out.append("#include <font.h>")
    out.append("")
    out.append("const uint8_t font8x16_glyphs[FONT_GLYPH_COUNT][FONT_HEIGHT] = {")
    for code_point, glyph in zip(range(FIRST_CHAR, LAST_CHAR + 1), rows):
        label = "space" if code_point == 0x20 else "'\\\\'" if code_point == 0x5C else \
            "'\\''" if code_point == 0x27 else f"'{chr(code_point)}'"
        out.append(f"\t[0x{code_point:02x} - FONT_FIRST_CHAR] = {{ /* {label} */")
        out.append(f"\t\t{', '.join(f'0x{b:02x}' for b in glyph[:8])},")
        out.append(f"\t\t{', '.join(f'0x{b:02x}' for b in glyph[8:])},")
        out.append("\t},")
    out.append("};")
    out.append("")
    out.append("const uint8_t font8x16_placeholder[FONT_HEIGHT] = {")
    out.append(f"\t{', '.join(f'0x{b:02x}' for b in PLACEHOLDER[:8])},")
    out.append(f"\t{', '.join(f'0x{b:02x}' for b in PLACEHOLDER[8:])},")
    out.append("};")

    with open(arguments.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
