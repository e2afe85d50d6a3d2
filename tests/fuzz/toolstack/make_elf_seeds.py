#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_elf: a small valid Dyad guest image and a
few near misses (the same layout as tests/unit/toolstack/test_elf.c).
Run from this directory: ./make_elf_seeds.py elf_seeds"""
import os
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4


def image(note_type=1, overlap=False, truncate=None, bad_entry=False, two_notes=False):
    ph = [
        (PT_LOAD, 5, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000, 0x1000),
        (PT_LOAD, 6, 0x2000, 0x100800 if overlap else 0x101000,
         0x100800 if overlap else 0x101000, 0x100, 0x2000, 0x1000),
        (PT_NOTE, 4, 0x200, 0, 0, 120 if two_notes else 60, 120 if two_notes else 60, 4),
    ]
    eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x100010, 0x40, 0, 0, 64, 56, len(ph), 0, 0, 0)
    b = bytearray(0x2100)
    b[0:64] = eh
    for i, p in enumerate(ph):
        b[0x40 + 56 * i:0x40 + 56 * (i + 1)] = struct.pack("<IIQQQQQQ", *p)
    note = struct.pack("<III", 5, 40, note_type) + b"Dyad\0\0\0\0"
    note += struct.pack("<IIQQQQ", 1, 1, 0x101000 if bad_entry else 0x100010, 0x100800,
                        0x100000, 0x101000)
    b[0x200:0x200 + 60] = note
    if two_notes:
        b[0x23c:0x23c + 60] = note
    b[0x1000:0x2000] = b"\xf4" * 0x1000
    b[0x2000:0x2100] = b"\x11" * 0x100
    return bytes(b[:truncate] if truncate else b)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "elf_seeds"
    os.makedirs(out, exist_ok=True)
    seeds = {
        "valid": image(),
        "no-note": image(note_type=2),
        "overlap": image(overlap=True),
        "truncated-phdrs": image(truncate=0xc0),
        "entry-in-data": image(bad_entry=True),
        "two-notes": image(two_notes=True),
        "header-only": image(truncate=64),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
