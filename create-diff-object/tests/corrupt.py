#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""corrupt.py MODE IN OUT - write a damaged copy of a relocatable ELF64 object.

MODE: symshndx (a symbol's section index out of range), symsize (a symbol
extends past its section), relasym (a relocation's symbol index out of
range), reloffset (a relocation outside its section), shstrndx (bad section
name table index), shoff (section headers past the end of the file),
relalink (a relocation section not linked to the symbol table), relainfo (a
relocation section applying to a section that does not exist), relaself (a
relocation section relocating itself).
"""
import struct
import sys


def sections(b):
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
    out = []
    for i in range(shnum):
        f = struct.unpack_from('<IIQQQQIIQQ', b, shoff + i * shentsize)
        out.append(dict(idx=i, hdr=shoff + i * shentsize, type=f[1],
                        offset=f[4], size=f[5], link=f[6], info=f[7]))
    return out


def main():
    mode, src, dst = sys.argv[1:4]
    b = bytearray(open(src, 'rb').read())
    secs = sections(b)
    symtab = next(s for s in secs if s['type'] == 2)
    nsyms = symtab['size'] // 24
    # first FUNC symbol defined in a section
    func = None
    for i in range(1, nsyms):
        off = symtab['offset'] + i * 24
        info, other, shndx = struct.unpack_from('<BBH', b, off + 4)
        if info & 0xf == 2 and 0 < shndx < 0xff00:
            func = off
            break
    rela = next(s for s in secs if s['type'] == 4 and s['size'])
    if mode == 'symshndx':
        struct.pack_into('<H', b, func + 6, len(secs) + 100)
    elif mode == 'symsize':
        struct.pack_into('<Q', b, func + 16, 0x100000)
    elif mode == 'relasym':
        info, = struct.unpack_from('<Q', b, rela['offset'] + 8)
        struct.pack_into('<Q', b, rela['offset'] + 8,
                         ((nsyms + 50) << 32) | (info & 0xffffffff))
    elif mode == 'reloffset':
        struct.pack_into('<Q', b, rela['offset'], 0x7fff0000)
    elif mode == 'shstrndx':
        struct.pack_into('<H', b, 0x3e, len(secs) + 7)
    elif mode == 'relalink':
        struct.pack_into('<I', b, rela['hdr'] + 40, 0)
    elif mode == 'relainfo':
        struct.pack_into('<I', b, rela['hdr'] + 44, len(secs) + 3)
    elif mode == 'relaself':
        struct.pack_into('<I', b, rela['hdr'] + 44, rela['idx'])
    elif mode == 'shoff':
        struct.pack_into('<Q', b, 0x28, len(b) + 4096)
    else:
        sys.exit('unknown mode ' + mode)
    open(dst, 'wb').write(b)


main()
