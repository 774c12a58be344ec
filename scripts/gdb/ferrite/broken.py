# SPDX-License-Identifier: MIT
"""The report of a broken allocator invariant, shared by the verify_* checks."""


class Broken(Exception):
    """An invariant that does not hold: which allocator, where, and what."""

    def __init__(self, allocator, where, what):
        super().__init__("%s: %s: %s" % (allocator, where, what))
        self.allocator = allocator
        self.where = where
        self.what = what
