# SPDX-License-Identifier: MIT
"""The base of every ferrite-* command, and `help ferrite` listing them.

A command subclasses FerriteCommand, sets name and a docstring whose
first line is its summary, and implements run(argument).  Memory reads
are cached while the kernel stays stopped (memory.py); the kernel's data are only read, never written, and no kernel code is
called, so the commands work wherever the kernel stopped: in a hang, a
panic or a triple-fault loop alike.  A structure too broken to follow is
reported in one line, never with a Python traceback.
"""
import gdb

from . import dwarf, lists, memory

registry = []


class FerriteCommand(gdb.Command):
    name = None

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_USER)
        registry.append(self)

    def invoke(self, argument, from_tty):
        self.dont_repeat()
        try:
            self.run(argument.strip())
        except memory.Unreadable as e:
            raise gdb.GdbError("%s: %s (is the kernel far enough in its boot?)" % (self.name, e))
        except dwarf.Missing as e:
            raise gdb.GdbError("%s: %s" % (self.name, e))
        except lists.BrokenList as e:
            raise gdb.GdbError("%s: broken list: %s (ferrite-verify tells more)" % (self.name, e))

    def run(self, argument):
        raise NotImplementedError

    @classmethod
    def summary(cls):
        return (cls.__doc__ or "").strip().splitlines()[0]


class FerriteHelp(gdb.Command):
    """Ferrite's gdb commands: allocators, CPUs and page tables, read from memory only.

They read the kernel's structures through its DWARF types and never write
memory or call kernel code, so they work on a kernel stopped anywhere,
hung or crashed.  `help ferrite-NAME` tells more about one command.
"""

    def __init__(self):
        lines = [FerriteHelp.__doc__.rstrip(), ""]
        for command in sorted(registry, key=lambda c: c.name):
            lines.append("%-20s -- %s" % (command.name, command.summary()))
        self.__doc__ = "\n".join(lines)
        super().__init__("ferrite", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        gdb.write(self.__doc__ + "\n")
