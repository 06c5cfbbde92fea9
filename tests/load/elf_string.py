#!/usr/bin/env python3
"""elf_string.py FILE SYMBOL: prints the NUL-terminated string a dynamic
data symbol (e.g. pppd_version) holds in an x86-64 ELF shared object, read
from the file itself (no dlopen, so it works for a .so built for another pppd)."""
import struct
import sys


def main(path, name):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"{path}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    # (name, type, flags, addr, offset, size, link, info, align, entsize)
    for s in secs:
        if s[1] != 11:  # SHT_DYNSYM
            continue
        strtab = secs[s[6]]
        for off in range(s[4], s[4] + s[5], s[9]):
            st_name, _info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", data, off)
            end = data.index(b"\0", strtab[4] + st_name)
            if data[strtab[4] + st_name:end].decode() != name or shndx == 0:
                continue
            sec = secs[shndx]
            if sec[1] == 8:  # SHT_NOBITS: zero-initialised
                print("")
                return
            start = sec[4] + (value - sec[3])
            raw = data[start:start + size]
            print(raw.split(b"\0", 1)[0].decode())
            return
    sys.exit(f"{path}: no defined dynamic symbol {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: elf_string.py FILE SYMBOL")
    main(sys.argv[1], sys.argv[2])
