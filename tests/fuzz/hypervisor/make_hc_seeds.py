#!/usr/bin/env python3
"""Seeds for fuzz_hv_hypercall: event-channel, memory_op and grant-table ops.

Each seed: a 64-byte header (nr, arg0..arg4, cr3, flags) then guest RAM from
gpa 0: identity page tables (PML4 0x1000, PDPT 0x2000, PD 0x3000, two 2 MiB
user pages), the argument structure at 0x4000, and with FUZZ_F_PREPARE the
peer's grant entries at 0x30000 (see fuzz_hypercall.c).  Run from this
directory: ./make_hc_seeds.py writes into corpus_hypercall/.
"""
import os
import struct

PREPARE = 1 << 16
ARG = 0x4000
PEER = 1      # the peer's domid
SELF = 0x7ff0  # DOMID_SELF
GNTMAP = 0x200000000
GNTMAP_RO = GNTMAP + 1024 * 4096
HC_MEMORY, HC_GNTTAB, HC_HVM, HC_EVTCHN = 12, 20, 34, 32


def ram(arg=b"", grants=b""):
    r = bytearray(0x31000 if grants else ARG + max(len(arg), 16))
    struct.pack_into("<Q", r, 0x1000, 0x2007)
    struct.pack_into("<Q", r, 0x2000, 0x3007)
    struct.pack_into("<QQ", r, 0x3000, 0x87, 0x200087)
    r[ARG:ARG + len(arg)] = arg
    if grants:
        r[0x30000:0x30000 + len(grants)] = grants
    return bytes(r)


def seed(name, nr, a0, arg=b"", a2=0, flags=PREPARE, grants=b""):
    hdr = struct.pack("<8Q", nr, a0, ARG, a2, 0, 0, 0x1000, flags)
    with open(os.path.join("corpus_hypercall", name), "wb") as f:
        f.write(hdr + ram(arg, grants))


def grant(flags, domid, frame):
    return struct.pack("<HHI", flags, domid, frame)


# grant entries of the peer: ref 1 rw to us, ref 2 r/o to us, ref 3 to someone else,
# ref 4 beyond RAM
GRANTS = (grant(0, 0, 0) + grant(1, 0xffff, 0x200) + grant(5, 0xffff, 0x200) +
          grant(1, 77, 0x200) + grant(1, 0xffff, 0xfffff))


def physmap(space, idx, gpfn, dom=SELF):
    # domid, size, space, (pad), idx, gpfn
    return struct.pack("<HHI QQ", dom, 0, space, idx, gpfn)


def main():
    seed("mem_shared_info", HC_MEMORY, 7, physmap(0, 0, 0x100), flags=0)  # moving it
    seed("mem_shared_info_fixed", HC_MEMORY, 7, physmap(0, 0, 0x8), flags=0)
    seed("mem_grant_frame", HC_MEMORY, 7, physmap(1, 1, 0x101))
    seed("mem_grant_status_idx", HC_MEMORY, 7, physmap(1, 0x80000000, 0x101))
    seed("hvm_upcall_vector", HC_HVM, 23, struct.pack("<IB3x", 1, 0xf0))
    seed("evtchn_alloc_unbound", HC_EVTCHN, 6, struct.pack("<HHI", SELF, 0, 0))
    seed("evtchn_bind_interdomain", HC_EVTCHN, 0, struct.pack("<HxxII", PEER, 1, 0))
    seed("evtchn_bind_virq", HC_EVTCHN, 1, struct.pack("<III", 0, 1, 0))
    seed("evtchn_bind_ipi", HC_EVTCHN, 7, struct.pack("<II", 1, 0))
    seed("evtchn_send", HC_EVTCHN, 4, struct.pack("<I", 1))
    seed("evtchn_close", HC_EVTCHN, 3, struct.pack("<I", 1))
    seed("evtchn_status", HC_EVTCHN, 5, struct.pack("<HxxI", SELF, 1) + bytes(16))
    seed("evtchn_unmask", HC_EVTCHN, 9, struct.pack("<I", 1))
    seed("evtchn_bind_vcpu", HC_EVTCHN, 8, struct.pack("<II", 1, 1))
    # setup_table: dom, nr_frames, status, frame_list -> ARG + 0x20
    seed("gnttab_setup_table", HC_GNTTAB, 2, struct.pack("<HxxIh6xQ", SELF, 1, 0, ARG + 0x20),
         1)
    seed("gnttab_query_size", HC_GNTTAB, 6, struct.pack("<HxxIIhxx", SELF, 0, 0, 0), 1)
    seed("gnttab_set_version", HC_GNTTAB, 8, struct.pack("<I", 2), 1)
    seed("gnttab_get_version", HC_GNTTAB, 10, struct.pack("<HxxI", SELF, 0), 1)

    def mapop(addr, flags, ref, dom=PEER):
        # host_addr, flags, ref, dom, status, handle, dev_bus_addr
        return struct.pack("<QIIHhIQ", addr, flags, ref, dom, 0, 0, 0)

    maps = (mapop(GNTMAP, 1, 1) + mapop(GNTMAP_RO, 5, 2) + mapop(GNTMAP + 4096, 1, 3) +
            mapop(GNTMAP + 8192, 1, 4))
    seed("gnttab_map_batch", HC_GNTTAB, 0, maps, 4, grants=GRANTS)
    seed("gnttab_map_rw", HC_GNTTAB, 0, mapop(GNTMAP, 1, 1), 1, grants=GRANTS)
    # unmap: host_addr, dev_bus_addr, handle, status
    seed("gnttab_unmap", HC_GNTTAB, 1, struct.pack("<QQIhxx", GNTMAP, 0, 0, 0), 1,
         grants=GRANTS)

    def copyop(src, sdom, soff, dst, ddom, doff, length, flags):
        return struct.pack("<QHH4xQHH4xHHhxx", src, sdom, soff, dst, ddom, doff, length, flags, 0)

    copies = (copyop(1, PEER, 0, 0x100, SELF, 0, 64, 1) +
              copyop(0x100, SELF, 0, 1, PEER, 4000, 96, 2) +
              copyop(2, PEER, 0, 2, PEER, 0, 8, 3))
    seed("gnttab_copy_batch", HC_GNTTAB, 5, copies, 3, grants=GRANTS)


if __name__ == "__main__":
    main()
