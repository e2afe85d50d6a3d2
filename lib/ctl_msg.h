/*
 * The control protocol between dom0 programs and the core (dyad-hv): Xen's
 * domctl/sysctl set in spirit, framed for a UNIX SOCK_SEQPACKET socket.
 *
 * One datagram is one message: a dyad_ctl_hdr followed by exactly
 * hdr.len payload bytes.  Requests are fixed-size structures; the size of
 * each type is in one table (ctl_msg.c) and ctl_msg_check() rejects anything
 * else before a handler sees it.  A reply carries the request's type with
 * DYAD_CTL_REPLY set and the request's seq, and its payload starts with a
 * struct dyad_ctl_status.  File descriptors travel as SCM_RIGHTS.
 *
 * Fixed-width fields, explicit padding, no pointers: this header is an ABI
 * between processes that may be built at different times.
 */
#ifndef DYAD_CTL_MSG_H
#define DYAD_CTL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <dyad/abi.h>

#define DYAD_CTL_MAGIC	   0x44594144u /* "DYAD" */
#define DYAD_CTL_VERSION   1u
#define DYAD_CTL_MAX_MSG   65536u /* header + payload */
#define DYAD_CTL_REPLY	   0x8000u
#define DYAD_NAME_MAX	   64u /* including the NUL */
#define DYAD_MAX_DOMAINS   512u
#define DYAD_DOMID_INVALID 0xffffffffu

enum dyad_ctl_type {
	DYAD_CTL_CREATE = 1,	   /* dyad_ctl_create -> dyad_ctl_domid */
	DYAD_CTL_GET_MEMFD,	   /* dyad_ctl_dom -> dyad_ctl_memfd + fd */
	DYAD_CTL_SET_VCPU_CONTEXT, /* dyad_ctl_vcpu_context -> status */
	DYAD_CTL_PAUSE,		   /* dyad_ctl_dom -> status */
	DYAD_CTL_UNPAUSE,	   /* dyad_ctl_dom -> status */
	DYAD_CTL_DESTROY,	   /* dyad_ctl_dom -> status */
	DYAD_CTL_LIST,		   /* (empty) -> dyad_ctl_list + n * dyad_ctl_dominfo */
	DYAD_CTL_INFO,		   /* dyad_ctl_dom -> dyad_ctl_status + dyad_ctl_dominfo */
	DYAD_CTL_DMESG,		   /* dyad_ctl_read -> dyad_ctl_data + bytes */
	DYAD_CTL_CONSOLE_READ,	   /* dyad_ctl_read -> dyad_ctl_data + bytes */
	DYAD_CTL_SUBSCRIBE,	   /* (empty) -> status, then DYAD_CTL_EVENT messages */
	DYAD_CTL_PHYSINFO,	   /* (empty) -> dyad_ctl_physinfo */
	DYAD_CTL_SHUTDOWN,	   /* dyad_ctl_shutdown -> status (Xen's remote_shutdown) */
	/* Issue 3: dom0 ends of event channels, grant tables (see below). */
	DYAD_CTL_EVTCHN_BIND_DOM0,     /* dyad_ctl_evtchn -> dyad_ctl_evtchn_dom0 + 2 fds */
	DYAD_CTL_EVTCHN_ALLOC_DOM0,    /* dyad_ctl_dom -> dyad_ctl_evtchn_dom0 + 2 fds */
	DYAD_CTL_EVTCHN_UNBIND_DOM0,   /* dyad_ctl_evtchn -> status */
	DYAD_CTL_GNTTAB_GET,	       /* dyad_ctl_dom -> dyad_ctl_gnttab + 1 fd */
	DYAD_CTL_SET_PARAM,	       /* dyad_ctl_param -> status (Xen's HVMOP_set_param) */
	DYAD_CTL_GET_PARAM,	       /* dyad_ctl_param -> dyad_ctl_param_rep */
	DYAD_CTL_EVTCHN_ALLOC_UNBOUND, /* dyad_ctl_evtchn_alloc -> dyad_ctl_evtchn_port */
	DYAD_CTL_GET_VCPU_CONTEXT,     /* dyad_ctl_vcpu -> dyad_ctl_vcpu_context_rep */
	DYAD_CTL_RENAME,	       /* dyad_ctl_rename -> status (xl rename-restart) */
	DYAD_CTL_TYPE_MAX,
	DYAD_CTL_EVENT = 0x4000, /* core -> subscriber, unsolicited: dyad_ctl_event */
};

struct dyad_ctl_hdr {
	uint32_t magic;	  /* DYAD_CTL_MAGIC */
	uint16_t version; /* DYAD_CTL_VERSION */
	uint16_t type;	  /* enum dyad_ctl_type, | DYAD_CTL_REPLY in replies */
	uint32_t len;	  /* payload bytes after this header */
	uint32_t seq;	  /* chosen by the client, echoed in the reply */
};

/* First member of every reply payload. */
struct dyad_ctl_status {
	int32_t status; /* 0 or -errno */
	uint32_t pad;
};

/* Domain states, the letters of xl list: r b p s c d. */
enum dyad_domain_state {
	DYAD_DOMAIN_STATE_RUNNING = 0, /* r: some vCPU is running */
	DYAD_DOMAIN_STATE_BLOCKED,     /* b: every online vCPU is blocked */
	DYAD_DOMAIN_STATE_PAUSED,      /* p */
	DYAD_DOMAIN_STATE_SHUTDOWN,    /* s: shut down (reason in shutdown_reason) */
	DYAD_DOMAIN_STATE_CRASHED,     /* c: crashed (guest report or fatal exit) */
	DYAD_DOMAIN_STATE_DYING,       /* d: being destroyed */
};

#define DYAD_CREATE_F_RING3 (1u << 0) /* the image declares the ring-3 runtime */

struct dyad_ctl_create {
	uint8_t uuid[16];
	char name[DYAD_NAME_MAX]; /* NUL-terminated; [A-Za-z0-9_.-], not all digits */
	uint64_t mem_mb;	  /* DYAD_MIN_MEM_MB .. DYAD_MAX_MEM_MB */
	uint32_t vcpus;		  /* 1 .. DYAD_MAX_VCPUS */
	uint32_t flags;		  /* DYAD_CREATE_F_* */
};

struct dyad_ctl_dom {
	uint32_t domid;
	uint32_t pad;
};

struct dyad_ctl_domid {
	struct dyad_ctl_status st;
	uint32_t domid;
	uint32_t pad;
};

struct dyad_ctl_memfd {
	struct dyad_ctl_status st;
	uint64_t size; /* bytes; the fd is sealed against shrink/grow */
};

/* A segment register, VMX-style access rights in attr. */
struct dyad_ctl_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint16_t attr; /* type[3:0] s[4] dpl[6:5] p[7] avl[12] l[13] db[14] g[15] */
};

struct dyad_ctl_dtable {
	uint64_t base;
	uint16_t limit;
	uint16_t pad[3];
};

/* Full architectural state of a vCPU that Dyad sets or saves. */
struct dyad_vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	struct dyad_ctl_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct dyad_ctl_dtable gdt, idt;
};

struct dyad_ctl_vcpu_context {
	uint32_t domid;
	uint32_t vcpu;
	struct dyad_vcpu_regs regs;
};

struct dyad_ctl_dominfo {
	uint32_t domid;
	uint32_t state;		  /* enum dyad_domain_state */
	uint32_t shutdown_reason; /* Xen's SHUTDOWN_*, valid in SHUTDOWN/CRASHED */
	uint32_t flags;		  /* DYAD_CREATE_F_* */
	uint32_t vcpus;		  /* configured */
	uint32_t vcpus_online;
	uint64_t mem_mb;
	uint64_t cpu_time_ns; /* summed over vCPU threads */
	uint8_t uuid[16];
	char name[DYAD_NAME_MAX];
};

struct dyad_ctl_list {
	struct dyad_ctl_status st;
	uint32_t count; /* dyad_ctl_dominfo entries that follow */
	uint32_t pad;
};

#define DYAD_READ_F_WAIT (1u << 0) /* park until data past offset exists */

/*
 * Reads of a byte stream the core keeps (its log, a domain's console_io
 * output).  Offsets count every byte ever written; the core keeps the last
 * DYAD_CTL_STREAM_KEEP bytes, and a read from an older offset starts at the
 * oldest kept byte (dyad_ctl_data.offset says where).
 */
#define DYAD_CTL_STREAM_KEEP (256u * 1024u)
#define DYAD_CTL_READ_MAX    (DYAD_CTL_MAX_MSG - 64u)

struct dyad_ctl_read {
	uint32_t domid; /* ignored for DMESG */
	uint32_t flags; /* DYAD_READ_F_* */
	uint64_t offset;
};

struct dyad_ctl_data {
	struct dyad_ctl_status st;
	uint64_t offset; /* stream offset of the first byte returned */
	uint64_t next;	 /* offset to ask for next */
	uint32_t len;	 /* bytes that follow */
	uint32_t flags;	 /* DYAD_DATA_F_* */
};
#define DYAD_DATA_F_EOF (1u << 0) /* the domain is gone: no more bytes will come */

struct dyad_ctl_shutdown {
	uint32_t domid;
	uint32_t reason; /* Xen's SHUTDOWN_* */
};

enum dyad_event_kind {
	DYAD_EVENT_SHUTDOWN = 1, /* domain shut down: reason = SHUTDOWN_* */
	DYAD_EVENT_CRASHED,	 /* fatal exit or SHUTDOWN_crash */
	DYAD_EVENT_DESTROYED,	 /* domain is gone */
	DYAD_EVENT_CREATED,
};

struct dyad_ctl_event {
	uint32_t kind; /* enum dyad_event_kind */
	uint32_t domid;
	uint32_t reason;
	uint32_t pad;
	uint8_t uuid[16];
	char name[DYAD_NAME_MAX];
};

struct dyad_ctl_physinfo {
	struct dyad_ctl_status st;
	uint32_t nr_cpus;
	uint32_t max_vcpus; /* per domain */
	uint64_t total_mem_mb;
	uint64_t free_mem_mb;
	uint64_t tsc_khz;
	uint32_t kvm_api_version;
	uint32_t nr_domains;
	char kvm_flavour[32]; /* "kvm-pvm", "kvm_intel", "kvm_amd", "unknown" */
	char caps[256];	      /* space-separated KVM capabilities Dyad uses */
	char version[32];     /* Dyad version */
};

/*
 * Event channels with one end in dom0.  dom0 is not a domain in the core:
 * a dom0 end is named by (domid, guest_port).  Two ways to connect:
 *
 *  - guest first: the guest does EVTCHNOP_alloc_unbound(remote_dom = 0)
 *    and publishes the port; dom0 sends EVTCHN_BIND_DOM0 {domid, port}.
 *  - dom0 first: EVTCHN_ALLOC_DOM0 {domid} reserves a guest port P and
 *    replies with it; the guest then does EVTCHNOP_bind_interdomain
 *    (remote_dom 0, remote_port P) and gets local_port == P.  (dom0's
 *    "port number" is the guest port: no separate dom0 namespace.)
 *
 * Both reply dyad_ctl_evtchn_dom0 with two fds:
 *   fds[0]  an eventfd that counts the guest's sends on the port (a
 *           KVM ioeventfd on the doorbell for the first 900 dom0-bound
 *           ports of the domain, written by the core beyond that).  When
 *           the port is closed by either side or the domain is destroyed,
 *           the core adds DYAD_EVTCHN_CLOSED_MARK: a read() value >= the
 *           mark means the channel is gone (eventfds have no EPOLLHUP).
 *   fds[1]  the upcall eventfd of vCPU `vcpu` (a KVM irqfd once the guest
 *           set its upcall vector).  dom0 notifies the guest with
 *           evtchn_2l_raise() on the shared_info at shared_info_gpa in its
 *           mapping of the memfd, and writes 1 to fds[1] if it returns true.
 * shared_info exists from domain creation (the core places it at
 * DYAD_BOOT_SHARED_INFO), so this works before the guest first runs; the
 * port must be unbound to remote_dom 0 (BIND) (-EINVAL otherwise).
 * EVTCHN_UNBIND_DOM0 closes dom0's end: the guest port goes back to
 * ECS_UNBOUND (remote 0), or is freed if the guest never bound it (ALLOC).
 */
struct dyad_ctl_evtchn {
	uint32_t domid;
	uint32_t port; /* the guest's port */
};

struct dyad_ctl_evtchn_dom0 {
	struct dyad_ctl_status st;
	uint32_t guest_port;
	uint32_t vcpu;		  /* the vCPU the port notifies */
	uint64_t shared_info_gpa; /* where shared_info is (DYAD_BOOT_SHARED_INFO) */
};

/*
 * GNTTAB_GET: where a domain's grant frames are now (also kept live in the
 * active-grant table header) + fd of its active-grant table memfd
 * (DYAD_ACTIVE_GRANT_SIZE bytes, map it MAP_SHARED read-write).
 */
struct dyad_ctl_gnttab {
	struct dyad_ctl_status st;
	uint32_t nr_frames;
	uint32_t pad;
	uint64_t frame_gpa[DYAD_GNTTAB_MAX_FRAMES]; /* 0 = not placed */
};

/*
 * SET_PARAM / GET_PARAM: the special-page parameters a guest reads with
 * HVMOP_get_param (HVM_PARAM_STORE_PFN, _STORE_EVTCHN, _CONSOLE_PFN,
 * _CONSOLE_EVTCHN; others -EINVAL).  A PFN must be a RAM page of the domain
 * and an event channel a valid port number (-EINVAL otherwise).  The
 * toolstack sets them between CREATE and UNPAUSE.
 */
struct dyad_ctl_param {
	uint32_t domid;
	uint32_t index; /* HVM_PARAM_* */
	uint64_t value; /* ignored by GET_PARAM */
};

struct dyad_ctl_param_rep {
	struct dyad_ctl_status st;
	uint64_t value;
};

/*
 * EVTCHN_ALLOC_UNBOUND: Xen's privileged EVTCHNOP_alloc_unbound with
 * dom = domid: a free port of domid, unbound, accepting remote_dom.  The
 * toolstack allocates the store and console channels this way (remote 0);
 * the dom0 service then connects with EVTCHN_BIND_DOM0 {domid, port}.
 */
struct dyad_ctl_evtchn_alloc {
	uint32_t domid;
	uint32_t remote_dom;
};

struct dyad_ctl_evtchn_port {
	struct dyad_ctl_status st;
	uint32_t port;
	uint32_t pad;
};

/*
 * GET_VCPU_CONTEXT: a vCPU's registers (domain paused, shut down or crashed,
 * else -EBUSY).  It does not wait for the vCPUs to stop: PAUSE did (bounded;
 * its -ETIMEDOUT leaves the domain paused), and a paused domain whose vCPUs
 * have not all parked yet answers -EAGAIN at once (a dead domain's first
 * request waits for them once, bounded).  The caller may retry.
 */
struct dyad_ctl_vcpu {
	uint32_t domid;
	uint32_t vcpu;
};

struct dyad_ctl_vcpu_context_rep {
	struct dyad_ctl_status st;
	uint32_t online; /* 0: never brought up (regs zero) or VCPUOP_down (regs stale) */
	uint32_t pad;
	struct dyad_vcpu_regs regs;
};

/*
 * RENAME: a new unique name (ctl_msg_check_name; -EEXIST if taken) and,
 * with DYAD_RENAME_F_UUID, a new UUID (libxl_domain_preserve gives the
 * preserved domain a fresh one, so the restarted domain keeps the config's).
 */
#define DYAD_RENAME_F_UUID (1u << 0)
struct dyad_ctl_rename {
	uint32_t domid;
	uint32_t flags; /* DYAD_RENAME_F_*; unknown bits -EINVAL */
	char name[DYAD_NAME_MAX];
	uint8_t uuid[16];
};

/*
 * Check that a received message is well formed for its type: magic,
 * version, a known request type and exactly that type's payload size.
 * Returns 0 or a negative errno (-EPROTO bad framing, -EOPNOTSUPP unknown
 * type, -EMSGSIZE wrong size); `what` receives a static explanation.
 */
int ctl_msg_check_request(const struct dyad_ctl_hdr *hdr, size_t total, const char **what)
	__attribute__((warn_unused_result));

/* Same for replies and events received by a client, given the request type. */
int ctl_msg_check_reply(const struct dyad_ctl_hdr *hdr, size_t total, uint16_t req_type,
			const char **what) __attribute__((warn_unused_result));

/* Payload size of a request type, or -1 if the type is unknown. */
long ctl_msg_request_size(uint16_t type);

/* Name of a request type for logs ("create", "list", ...); "unknown" otherwise. */
const char *ctl_msg_type_name(uint16_t type);

/* Validate a domain name (the rule above); 0 or -EINVAL. */
int ctl_msg_check_name(const char *name, size_t cap) __attribute__((warn_unused_result));

#endif /* DYAD_CTL_MSG_H */
