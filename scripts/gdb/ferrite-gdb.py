# SPDX-License-Identifier: MIT
# Loads Ferrite's gdb commands (the package scripts/gdb/ferrite) into gdb:
# `source scripts/gdb/ferrite-gdb.py`, done by scripts/ferrite.gdb.
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrite  # noqa: E402,F401  (registers the commands)
