#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rebuild the hand-minimised reproducers of FINDINGS.md from ../seeds.

Each reproducer is a seed object with ONE field changed, so that the cause
is obvious (the raw fuzzer outputs are kept next to them as raw-*.o).
"""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
seeds = os.path.join(os.path.dirname(here), "seeds")


def sections(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shnum, shstrndx = struct.unpack_from("<HH", data, 0x3c)
    strtab_off = struct.unpack_from("<Q", data, shoff + shstrndx * 64 + 24)[0]
    out = {}
    for i in range(shnum):
        hdr = shoff + i * 64
        name_off, = struct.unpack_from("<I", data, hdr)
        end = data.index(b"\0", strtab_off + name_off)
        out[data[strtab_off + name_off:end].decode()] = (i, hdr)
    return out


# field: (offset in Elf64_Shdr, size)
FIELD = {"sh_type": (4, 4), "sh_link": (40, 4), "sh_info": (44, 4),
         "sh_addralign": (48, 8), "sh_size": (32, 8)}


def patch(seed, out, section, field, value):
    data = bytearray(open(os.path.join(seeds, seed), "rb").read())
    secs = sections(data)
    idx, hdr = secs[section]
    if value == "self":
        value = idx
    off, size = FIELD[field]
    data[hdr + off:hdr + off + size] = value.to_bytes(size, "little")
    open(os.path.join(here, out), "wb").write(data)
    print("%s: %s %s[%d].%s = %#x" % (out, seed, section, idx, field, value))


patch("tiny-b.o", "F1-rela-link0.o", ".rela.text.tiny_main", "sh_link", 0)
patch("klp.ko", "F2-huge-align.ko", ".kpatch.strings", "sh_addralign", 1 << 51)
patch("tiny-b.o", "F2-huge-align.o", ".text.tiny_main", "sh_addralign", 1 << 51)
patch("tiny-b.o", "F3-rela-self.o", ".rela.text.tiny_main", "sh_info", "self")
patch("t-klp-module-mod-klp.o", "F4-empty-group.o", ".note.GNU-stack", "sh_type", 17)
patch("t-callbacks-out.o", "F5-empty-rela.o", ".rela.text.my_post_unpatch", "sh_size", 0)
patch("tiny-b.o", "F6-nobits-special.o", "__mcount_loc", "sh_type", 8)
patch("k-kernel-range.o", "F6-null-orc.o", ".orc_unwind", "sh_type", 0)
