#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host tests of scripts/compare.py, the table of make compare (run by make test-scripts).

Columns are written here as make bench and make replay write them, with the
"trace=NAME" field compare.sh adds to each replay's lines; the tests check
that figures land in the right row and column, that two traces' replays stay
apart, and that the ratios to the baseline are computed from the right cells.
"""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "compare.py")


def replay_lines(trace, peak, per_op):
    tag = f" trace={trace}" if trace else ""
    return [f"REPLAY start{tag} records=1000 caches=3",
            f"REPLAY memory{tag} peak_slab_pages={peak} final_slab_pages={peak // 2}",
            f"BENCH name=replay_op{tag} size=0 n=1100 cycles_per_op={per_op}",
            f"REPLAY done{tag} result=pass corrupt_objects=0"]


class CompareTable(unittest.TestCase):
    def summarise(self, columns, baseline="linux"):
        """Run compare.py on {(mode, column): [lines] or None}; return summary.txt's rows."""
        with tempfile.TemporaryDirectory() as tmp:
            specs = []
            for (mode, column), lines in columns.items():
                path = os.path.join(tmp, f"{mode}-{column}.txt")
                if lines is not None:
                    with open(path, "w") as f:
                        f.write("\n".join(lines) + "\n")
                specs.append(f"{mode}:{column}={path}")
            out = os.path.join(tmp, "out")
            # No gnuplot on the path: the table alone is under test.
            env = dict(os.environ, PATH="/nonexistent")
            result = subprocess.run([sys.executable, SCRIPT, "--out", out, "--baseline", baseline,
                                     *specs], capture_output=True, text=True, env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(out, "summary.txt")) as f:
                return [line.split() for line in f.read().splitlines()]

    def row(self, rows, *label):
        matches = [r[len(label):] for r in rows if tuple(r[:len(label)]) == label]
        self.assertEqual(len(matches), 1, f"one row {' '.join(label)!r} in {rows}")
        return matches[0]

    def test_two_traces_stay_apart(self):
        rows = self.summarise({
            ("icount", "slub"): replay_lines("linux-6.1", 4807, 85.7) + replay_lines("linux-6.18", 900, 99.1),
            ("icount", "slob"): replay_lines("linux-6.1", 5439, 434.0) + replay_lines("linux-6.18", 950, 501.0),
        })
        self.assertEqual(self.row(rows, "linux-6.1", "memory.peak_slab_pages"), ["4807", "5439"])
        self.assertEqual(self.row(rows, "linux-6.18", "memory.peak_slab_pages"), ["900", "950"])
        self.assertEqual(self.row(rows, "linux-6.18", "memory.final_slab_pages"), ["450", "475"])
        self.assertEqual(self.row(rows, "replay_op", "trace=linux-6.1", "size=0"), ["85.70", "434"])
        self.assertEqual(self.row(rows, "replay_op", "trace=linux-6.18", "size=0"), ["99.10", "501"])

    def test_untagged_replay_is_named_replay(self):
        rows = self.summarise({("icount", "slub"): replay_lines(None, 4770, 116.04)})
        self.assertEqual(self.row(rows, "replay", "memory.peak_slab_pages"), ["4770"])
        self.assertEqual(self.row(rows, "replay", "done.result"), ["pass"])

    def test_ratios_to_the_baseline_and_a_missing_column(self):
        rows = self.summarise({
            ("icount", "slub"): ["BENCH name=kmalloc_free size=64 n=1000 cycles_per_op=96"],
            ("icount", "slab"): None,  # its run failed: no file
            ("icount", "linux"): ["BENCH name=kmalloc_free size=64 n=1000 cycles_per_op=240"],
        })
        # columns slub, slab, linux, then slub/linux and slab/linux
        self.assertEqual(self.row(rows, "kmalloc_free", "size=64"), ["96.00", "-", "240", "0.40", "-"])


if __name__ == "__main__":
    unittest.main()
