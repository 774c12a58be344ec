#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The table and charts of `make compare`.

usage: scripts/compare.py --out DIR [--baseline COLUMN] [--title TEXT]
                          MODE:COLUMN=FILE ...

Each FILE holds the figures of one allocator in one mode, as `make bench`
and `make bench-linux` write them ("BENCH name=... size=... n=...
cycles_per_op=X") and as `make replay` writes its results ("REPLAY
<part> [trace=NAME] key=value ...", include/replay.h); MODE is icount or tcg, COLUMN the allocator
(slub, slab, slob, linux, ...).  A FILE that does not exist is a column
with no figures (its run failed or was skipped; compare.sh says why).

Writes DIR/summary.txt -- per mode, one row per figure, one column per
allocator, then each allocator's ratio to the baseline column (linux) --
and, when gnuplot is installed, one chart per group of figures and mode:
DIR/<group>-<mode>.png, plus DIR/replay-memory.png.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

# Groups of figures for the charts: (file name, title, pattern on the figure's name).
GROUPS = [
    ("kmalloc", "kmalloc + kfree, pair, by size", r"^kmalloc_free$"),
    ("kmalloc-batch", "kmalloc batches: per object", r"^kmalloc_batch_(alloc|free)$"),
    ("cache", "kmem_cache: pairs, batches and bulk, per object", r"^cache_(?!.*_debug_)"),
    ("debug", "kmem_cache with one debug flag (slab_debug letters F, Z, P, U)", r"_debug_"),
    ("pages", "page allocator, by order", r"^(alloc_pages|page_alloc)"),
    ("vmalloc", "vmalloc and vmap", r"^(vmalloc|vmap)"),
    ("smp", "on several CPUs", r"(_parallel|_remote_free)$"),
    ("replay", "replay of real Linux traces, per allocator call", r"^replay_"),
]
REPLAY_MEMORY_KEYS = ("memory.peak_slab_pages", "memory.final_slab_pages")
UNITS = {"icount": "instructions per operation", "tcg": "host cycles per operation (TCG)"}


def parse_fields(line):
    fields = {}
    for word in line.split()[1:]:
        if "=" in word:
            key, value = word.split("=", 1)
            fields[key] = value
    return fields


def figure_key(fields):
    """The figure's identity: its name and every parameter but n and what was measured."""
    rest = " ".join("%s=%s" % (k, v) for k, v in fields.items()
                    if k not in ("name", "n", "cycles_per_op", "shared_locks_per_kop"))
    return (fields.get("name", "?") + " " + rest).strip()


def read_column(path):
    """({figure: value}, {replay name: {key: value}}) of one file."""
    figures, replays = {}, {}
    if not os.path.exists(path):
        return figures, replays
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("BENCH name="):
                fields = parse_fields(line)
                try:
                    figures[figure_key(fields)] = float(fields["cycles_per_op"])
                except (KeyError, ValueError):
                    print("compare.py: %s: cannot read %r" % (path, line), file=sys.stderr)
            elif line.startswith("REPLAY "):
                # "REPLAY <part> [trace=NAME] key=value ...": one part (start, ops, memory,
                # done) of the replay of trace NAME (compare.sh adds it; "replay" without).
                part = line.split()[1]
                if "=" not in part:
                    fields = parse_fields(line)
                    trace = fields.pop("trace", "replay")
                    replays.setdefault(trace, {}).update(
                        {"%s.%s" % (part, k): v for k, v in fields.items()})
    return figures, replays


def number(text):
    if text is None:
        return "-"
    if isinstance(text, float):
        return "%.2f" % text if text < 100 else "%.0f" % text
    return str(text)


def table(rows, header):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                       for i, c in enumerate(r)) for r in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def mode_section(mode, columns, data, baseline):
    """The lines of one mode's table."""
    order = []
    for column in columns:
        for key in data[(mode, column)][0]:
            if key not in order:
                order.append(key)
    others = [c for c in columns if c != baseline]
    has_base = baseline in columns and data[(mode, baseline)][0]
    header = ["figure (%s)" % UNITS.get(mode, mode)] + columns
    if has_base:
        header += ["%s/%s" % (c, baseline) for c in others]
    rows = []
    for key in order:
        values = [data[(mode, c)][0].get(key) for c in columns]
        row = [key] + [number(v) for v in values]
        if has_base:
            base = data[(mode, baseline)][0].get(key)
            for c in others:
                v = data[(mode, c)][0].get(key)
                row.append("%.2f" % (v / base) if v is not None and base else "-")
        rows.append(row)
    return table(rows, header) if rows else ["(no figures)"]


def replay_section(columns, data, modes):
    """Replay rows: one per (trace, key), one column per allocator and mode."""
    keys = []
    for mode in modes:
        for column in columns:
            for name, fields in data[(mode, column)][1].items():
                for k in fields:
                    if k != "name" and (name, k) not in keys:
                        keys.append((name, k))
    if not keys:
        return ["(no replay results)"]
    cols = [(m, c) for m in modes for c in columns if data[(m, c)][1]]
    header = ["replay"] + ["%s %s" % (c, m) for m, c in cols]
    rows = [["%s %s" % (name, k)] + [data[(m, c)][1].get(name, {}).get(k, "-") for m, c in cols]
            for name, k in keys]
    return table(rows, header)


def chart(out_dir, stem, title, ylabel, labels, columns, values):
    """A clustered bar chart with gnuplot: one cluster per label, one bar per column."""
    dat = os.path.join(out_dir, stem + ".dat")
    with open(dat, "w") as f:
        f.write("# label " + " ".join(columns) + "\n")
        for label, row in zip(labels, values):
            f.write('"%s" ' % label + " ".join("%g" % v if v else "NaN" for v in row) + "\n")
    plot = ", ".join("'%s' using %d:xtic(1) title '%s'" % (dat, i + 2, c)
                     for i, c in enumerate(columns))
    script = "\n".join([
        "set terminal pngcairo size 1200,600 noenhanced" if has_cairo() else "set terminal png size 1200,600",
        "set output '%s'" % os.path.join(out_dir, stem + ".png"),
        "set title '%s'" % title.replace("'", ""),
        "set ylabel '%s'" % ylabel,
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1",
        "set key outside right top",
        "set yrange [0:*]",
        "set grid ytics",
        "set xtics rotate by -30 scale 0",
        "set rmargin 10",
        "set bmargin 9",
        "set datafile missing 'NaN'",
        "plot " + plot,
    ])
    result = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if result.returncode != 0:
        print("compare.py: gnuplot failed for %s: %s" % (stem, result.stderr.strip()), file=sys.stderr)
        return False
    return True


_cairo = None


def has_cairo():
    global _cairo
    if _cairo is None:
        result = subprocess.run(["gnuplot", "-e", "set terminal"], text=True, capture_output=True)
        _cairo = "pngcairo" in (result.stdout + result.stderr)
    return _cairo


def short_label(key):
    """A chart label: "kmalloc_free 64", "replay_op linux-6.18-build"."""
    name, _, rest = key.partition(" ")
    if name.startswith("replay_"):
        rest = re.sub(r"\s*\bsize=0\b", "", rest)
    return (name + " " + rest.replace("size=", "").replace("trace=", "")).strip()


def main():
    parser = argparse.ArgumentParser(description="make compare's table and charts")
    parser.add_argument("--out", required=True)
    parser.add_argument("--baseline", default="linux")
    parser.add_argument("--title", default="")
    parser.add_argument("inputs", nargs="+", metavar="MODE:COLUMN=FILE")
    args = parser.parse_args()

    modes, columns, data = [], [], {}
    for spec in args.inputs:
        # The column may hold "=" (linux-init_on_alloc=0); the file name may not.
        match = re.fullmatch(r"([a-z]+):(.+)=([^=]+)", spec)
        if not match:
            parser.error("%r is not MODE:COLUMN=FILE" % spec)
        mode, column, path = match.groups()
        if mode not in modes:
            modes.append(mode)
        if column not in columns:
            columns.append(column)
        data[(mode, column)] = read_column(path)
    for mode in modes:
        for column in columns:
            data.setdefault((mode, column), ({}, {}))

    os.makedirs(args.out, exist_ok=True)
    lines = ["# %s" % args.title] if args.title else []
    for mode in modes:
        lines += ["", "## %s" % UNITS.get(mode, mode), ""]
        lines += mode_section(mode, columns, data, args.baseline)
    lines += ["", "## trace replay (make replay)", ""]
    lines += replay_section(columns, data, modes)
    summary = os.path.join(args.out, "summary.txt")
    with open(summary, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    if shutil.which("gnuplot") is None:
        print("compare.py: gnuplot is not installed: no charts", file=sys.stderr)
        return 0
    charts = []
    for mode in modes:
        for stem, title, pattern in GROUPS:
            keys = []
            for column in columns:
                keys += [k for k in data[(mode, column)][0]
                         if re.search(pattern, k.split()[0]) and k not in keys]
            if not keys:
                continue
            cols = [c for c in columns if any(k in data[(mode, c)][0] for k in keys)]
            values = [[data[(mode, c)][0].get(k) for c in cols] for k in keys]
            name = "%s-%s" % (stem, mode)
            if chart(args.out, name, "%s (%s)" % (title, mode), UNITS.get(mode, mode),
                     [short_label(k) for k in keys], cols, values):
                charts.append(name + ".png")
    # Memory held after the replay, per allocator (one replay per back-end; icount and tcg agree).
    for mode in modes:
        cols = [c for c in columns if data[(mode, c)][1]]
        if not cols:
            continue
        traces = sorted({name for c in cols for name in data[(mode, c)][1]})
        labels, values = [], []
        for trace in traces:
            for key in REPLAY_MEMORY_KEYS:
                # "linux-6.18-build peak", from memory.peak_slab_pages
                labels.append("%s %s" % (trace, key.split(".")[-1].replace("_slab_pages", "")))
                values.append([float(data[(mode, c)][1].get(trace, {}).get(key, "nan"))
                               for c in cols])
        if chart(args.out, "replay-memory", "pages held by the slab layer during the trace replay",
                 "pages", labels, cols, values):
            charts.append("replay-memory.png")
        break
    print("# summary: %s; charts: %s" % (summary, ", ".join(charts) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
