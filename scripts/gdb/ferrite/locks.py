# SPDX-License-Identifier: MIT
"""A spinlock_t's state, from whichever fields this kernel's spinlock has.

Today's lock is one word, locked; a lock may also carry the bare lock in
raw, the holder as owner (its CPU number + 1, 0 while free), where it was
taken (owner_ip) and a name.  Fields a kernel lacks are left out.
"""
from . import memory, symbols


def describe(lock):
    """One line: "locked by CPU 1 at f+0x10/0x40 (name zone->lock)" or "unlocked"."""
    word = lock
    if not word.has("locked") and word.has("raw"):
        word = word.raw
    if not word.has("locked"):
        return "?"
    locked = bool(word.locked)
    text = "locked" if locked else "unlocked"
    if locked and lock.has("owner") and lock.owner:
        text += " by CPU %d" % (lock.owner - 1)
    if locked and lock.has("owner_ip") and lock.owner_ip:
        text += " at %s" % symbols.format_address(lock.owner_ip)
    if lock.has("name") and lock.name:
        try:
            text += " (%s)" % memory.cstring(lock.name, 64)
        except memory.Unreadable:
            pass
    return text


def is_locked(lock):
    word = lock if lock.has("locked") or not lock.has("raw") else lock.raw
    return word.has("locked") and bool(word.locked)


def held():
    """[(what, description)] of the allocators' locks that are held: the zones', the caches',
    vmap_lock.  A kernel stopped while holding one may be in the middle of an update."""
    from . import dwarf, slabs, vmallocinfo
    out = []
    buddy = dwarf.global_value("kernel_buddy")
    for index, zone in enumerate(buddy.zones):
        if zone.has("lock") and is_locked(zone.lock):
            name = memory.cstring(zone.name) if zone.name else "zone%d" % index
            out.append(("zone %s" % name, describe(zone.lock)))
    for cache in slabs.caches():
        if cache.be.has("lock") and is_locked(cache.be.lock):
            out.append(("cache %s" % cache.name, describe(cache.be.lock)))
    try:
        vmap_lock = dwarf.find_variable(("vmap_lock",), "")
        if is_locked(vmap_lock):
            out.append(("vmap_lock", describe(vmap_lock)))
    except dwarf.Missing:
        pass
    return out
