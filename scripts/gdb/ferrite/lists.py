# SPDX-License-Identifier: MIT
"""Walking the kernel's struct list_head lists, safely on a broken kernel.

A list may be corrupted: a node may point to unmapped memory or loop
back into itself without reaching the head.  The walk then raises
BrokenList naming the node, instead of running forever or crashing.
"""
from . import dwarf, memory


class BrokenList(Exception):
    def __init__(self, problem, node):
        super().__init__("%s (at node 0x%x)" % (problem, node))
        self.problem = problem
        self.node = node


def nodes(head, limit=1 << 22):
    """Yield the address of every node of the list headed at @head, in order."""
    next_offset = dwarf.offset_of("struct list_head", "next")
    seen = set()
    try:
        node = memory.u64(head + next_offset)
    except memory.Unreadable:
        raise BrokenList("list head not readable", head) from None
    while node != head:
        if node in seen:
            raise BrokenList("list loops without returning to its head", node)
        if len(seen) >= limit:
            raise BrokenList("list longer than %d nodes" % limit, node)
        seen.add(node)
        yield node
        try:
            node = memory.u64(node + next_offset)
        except memory.Unreadable:
            raise BrokenList("list node not readable", node) from None


def entries(head, type_name, member):
    """Yield the address of each @type_name whose @member links the list at @head."""
    offset = dwarf.offset_of(type_name, member)
    for node in nodes(head):
        yield node - offset


def length(head):
    return sum(1 for _ in nodes(head))
