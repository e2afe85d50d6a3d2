/*
 * The one include that pins Xen's public ABI for every Dyad component.
 *
 * Xen's public headers select their hypercall numbers and structure layouts
 * from __XEN_INTERFACE_VERSION__.  Left undefined they fall back to the old
 * compat interface (sched_op = 6, event_channel_op = 16) and hide grant-table
 * v1/v2 operations, so every Dyad source - host or guest - includes this
 * header before any <xen/...> header.
 */
#ifndef DYAD_PUBLIC_XEN_H
#define DYAD_PUBLIC_XEN_H

#ifdef __XEN_INTERFACE_VERSION__
#if __XEN_INTERFACE_VERSION__ != 0x00040e00
#error "Dyad pins __XEN_INTERFACE_VERSION__ to 0x00040e00 (Xen 4.14)"
#endif
#else
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/arch-x86/cpuid.h>

_Static_assert(__HYPERVISOR_sched_op == 29, "Xen interface version not applied");
_Static_assert(__HYPERVISOR_event_channel_op == 32, "Xen interface version not applied");
_Static_assert(sizeof(struct vcpu_hvm_x86_64) == 14 * 8, "vcpu_hvm_x86_64 layout");
/* The union is as large as its 32-bit member (120 bytes). */
_Static_assert(sizeof(struct vcpu_hvm_context) == 8 + 120, "vcpu_hvm_context layout");
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");

#endif /* DYAD_PUBLIC_XEN_H */
