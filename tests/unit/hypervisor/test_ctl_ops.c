/*
 * Control-operation validation through control_handle_message(), the
 * entry the epoll loop uses, over a socketpair: framing errors, every
 * create rule, unknown domains, wrong sizes, the peer-uid rule, vCPU
 * context validation, stream reads (plain, parked, EOF), list and info.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dyad/boot.h>
#include "control.h"
#include "fake_kvm.h"
#include "ipc.h"
#include "notify.h"
#include "test_hv.h"

static struct control_conn *conn;
static int peer;
static uint32_t seq;
static uint8_t rep[DYAD_CTL_MAX_MSG];
static int rep_fd, rep_fd2, rep_nfds;

static void setup(void)
{
	int sv[2];

	hv_test_setup();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	conn = control_conn_new(sv[0], true);
	peer = sv[1];
}

static void teardown(void)
{
	domain_destroy_all();
	control_conn_free(conn);
	close(peer);
	notify_fini();
}

/* Take the next reply; its status, or 1 if none is waiting. */
static int next_reply(void)
{
	int fds[2], nfds = 2;
	ssize_t n;

	n = recv(peer, rep, sizeof(rep), MSG_DONTWAIT | MSG_PEEK);
	if (n < 0)
		return 1;
	n = ipc_recv(peer, rep, sizeof(rep), fds, &nfds);
	ck_assert_int_ge(n,
			 (ssize_t)(sizeof(struct dyad_ctl_hdr) + sizeof(struct dyad_ctl_status)));
	rep_fd = nfds ? fds[0] : -1;
	rep_fd2 = nfds > 1 ? fds[1] : -1;
	rep_nfds = nfds;
	return ((struct dyad_ctl_status *)(void *)(rep + sizeof(struct dyad_ctl_hdr)))->status;
}

/* Send raw bytes as one message; return the reply's status (or 1 if no reply). */
static int raw(const void *msg, size_t len)
{
	control_handle_message(conn, msg, len);
	return next_reply();
}

static int req(uint16_t type, const void *payload, size_t len)
{
	uint8_t buf[1024];
	struct dyad_ctl_hdr h = {DYAD_CTL_MAGIC, DYAD_CTL_VERSION, type, (uint32_t)len, ++seq};

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	return raw(buf, sizeof(h) + len);
}

static const struct dyad_ctl_hdr *rep_hdr(void)
{
	return (const struct dyad_ctl_hdr *)(const void *)rep;
}

static const void *rep_payload(void)
{
	return rep + sizeof(struct dyad_ctl_hdr);
}

static int create(const char *name, uint64_t mem, uint32_t vcpus, uint32_t flags)
{
	struct dyad_ctl_create c = {.mem_mb = mem, .vcpus = vcpus, .flags = flags};

	strncpy(c.name, name, sizeof(c.name));
	return req(DYAD_CTL_CREATE, &c, sizeof(c));
}

static uint32_t created(void)
{
	const struct dyad_ctl_domid *r = rep_payload();

	return r->domid;
}

static int dom(uint16_t type, uint32_t domid)
{
	struct dyad_ctl_dom d = {.domid = domid};

	return req(type, &d, sizeof(d));
}

START_TEST(framing)
{
	struct dyad_ctl_hdr h = {DYAD_CTL_MAGIC, DYAD_CTL_VERSION, DYAD_CTL_LIST, 0, 7};
	uint8_t big[64] = {0};

	ck_assert_int_eq(raw(&h, 4), -EPROTO);
	h.magic = 1;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EPROTO);
	h.magic = DYAD_CTL_MAGIC, h.version = 2;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EPROTO);
	h.version = DYAD_CTL_VERSION, h.len = 4;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EPROTO); /* len says 4, none sent */
	h.type = 0, h.len = 0;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EOPNOTSUPP);
	h.type = DYAD_CTL_TYPE_MAX;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EOPNOTSUPP);
	h.type = DYAD_CTL_EVENT;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EOPNOTSUPP);
	h.type = DYAD_CTL_LIST | DYAD_CTL_REPLY;
	ck_assert_int_eq(raw(&h, sizeof(h)), -EOPNOTSUPP);
	ck_assert_int_eq(req(DYAD_CTL_LIST, big, 8), -EMSGSIZE);
	ck_assert_int_eq(req(DYAD_CTL_INFO, big, 4), -EMSGSIZE);
	ck_assert_int_eq(req(DYAD_CTL_CREATE, big, 64), -EMSGSIZE);
	ck_assert_uint_eq(rep_hdr()->seq, seq); /* errors echo the request */
	ck_assert_uint_eq(rep_hdr()->type, DYAD_CTL_CREATE | DYAD_CTL_REPLY);
	ck_assert_uint_eq(domain_count(), 0);
}
END_TEST

START_TEST(create_rules)
{
	static const char *bad_names[] = {"", "123", "a b", "a/b", "dom\xc3\xa9"};
	char longname[DYAD_NAME_MAX + 1];
	struct dyad_ctl_create c = {.mem_mb = 16, .vcpus = 1};

	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		ck_assert_int_eq(create(bad_names[i], 16, 1, 0), -EINVAL);
	memset(c.name, 'a', sizeof(c.name)); /* no NUL */
	ck_assert_int_eq(req(DYAD_CTL_CREATE, &c, sizeof(c)), -EINVAL);
	memset(longname, 'b', sizeof(longname) - 1);
	longname[DYAD_NAME_MAX] = '\0';
	ck_assert_int_eq(create(longname, 16, 1, 0), -EINVAL); /* 64 chars: no room for NUL */
	ck_assert_int_eq(create(longname + 1, 16, 1, 0), 0);   /* 63 chars */
	ck_assert_int_eq(dom(DYAD_CTL_DESTROY, created()), 0);
	ck_assert_int_eq(create("m", DYAD_MIN_MEM_MB - 1, 1, 0), -EINVAL);
	ck_assert_int_eq(create("m", DYAD_MAX_MEM_MB + 1, 1, 0), -EINVAL);
	ck_assert_int_eq(create("m", ~0ull, 1, 0), -EINVAL);
	ck_assert_int_eq(create("v", 16, 0, 0), -EINVAL);
	ck_assert_int_eq(create("v", 16, DYAD_MAX_VCPUS + 1, 0), -EINVAL);
	ck_assert_int_eq(create("f", 16, 1, 2), -EINVAL);
	ck_assert_int_eq(create("f", 16, 1, 0x80000000u), -EINVAL);
	ck_assert_uint_eq(domain_count(), 0);
	ck_assert_int_eq(create("ok.1-x_y", DYAD_MIN_MEM_MB, DYAD_MAX_VCPUS, DYAD_CREATE_F_RING3),
			 0);
	ck_assert_uint_eq(created(), 2);
	ck_assert_int_eq(create("ok.1-x_y", 16, 1, 0), -EEXIST);
	ck_assert_int_eq(create("two", 16, 1, 0), 0);
	ck_assert_uint_eq(created(), 3);
	ck_assert_int_eq(dom(DYAD_CTL_DESTROY, 2), 0);
	ck_assert_int_eq(create("ok.1-x_y", 16, 1, 0), 0);
	ck_assert_uint_eq(created(), 4); /* ids are not reused */
}
END_TEST

START_TEST(unknown_domain)
{
	static const uint16_t types[] = {DYAD_CTL_GET_MEMFD, DYAD_CTL_PAUSE, DYAD_CTL_UNPAUSE,
					 DYAD_CTL_DESTROY, DYAD_CTL_INFO};
	struct dyad_ctl_shutdown sd = {.domid = 42, .reason = 0};
	struct dyad_ctl_read rd = {.domid = 42};
	struct dyad_ctl_vcpu_context vc = {.domid = 42};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ck_assert_int_eq(dom(types[i], 42), -ESRCH);
		ck_assert_int_eq(dom(types[i], 0), -ESRCH);
		ck_assert_int_eq(dom(types[i], DYAD_DOMID_INVALID), -ESRCH);
	}
	ck_assert_int_eq(req(DYAD_CTL_SHUTDOWN, &sd, sizeof(sd)), -ESRCH);
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), -ESRCH);
	ck_assert_int_eq(req(DYAD_CTL_SET_VCPU_CONTEXT, &vc, sizeof(vc)), -ESRCH);
}
END_TEST

START_TEST(memfd_is_sealed)
{
	const struct dyad_ctl_memfd *m;

	ck_assert_int_eq(create("mem", 16, 1, 0), 0);
	ck_assert_int_eq(dom(DYAD_CTL_GET_MEMFD, created()), 0);
	m = rep_payload();
	ck_assert_uint_eq(m->size, 16u << 20);
	ck_assert_int_ge(rep_fd, 0);
	ck_assert_int_ne(ftruncate(rep_fd, 0), 0);
	ck_assert_int_ne(ftruncate(rep_fd, 32u << 20), 0);
	close(rep_fd);
}
END_TEST

static struct dyad_vcpu_regs good_regs(void)
{
	struct dyad_vcpu_regs r = {.rip = 0x100000,
				   .rsp = DYAD_BOOT_RSP0(0),
				   .rflags = 2,
				   .cr0 = DYAD_BOOT_CR0,
				   .cr3 = DYAD_BOOT_PML4,
				   .cr4 = DYAD_BOOT_CR4,
				   .efer = DYAD_BOOT_EFER};

	r.cs = (struct dyad_ctl_segment){0, 0xffffffff, DYAD_SEL_KCODE, 0xa09b};
	r.ds = (struct dyad_ctl_segment){0, 0xffffffff, DYAD_SEL_KDATA, 0xc093};
	r.es = r.ss = r.ds;
	r.tr = (struct dyad_ctl_segment){DYAD_BOOT_TSS, 0x67, DYAD_SEL_TSS(0), 0x8b};
	return r;
}

static int set_ctx(uint32_t domid, uint32_t vcpu, const struct dyad_vcpu_regs *r)
{
	struct dyad_ctl_vcpu_context vc = {.domid = domid, .vcpu = vcpu, .regs = *r};

	return req(DYAD_CTL_SET_VCPU_CONTEXT, &vc, sizeof(vc));
}

START_TEST(vcpu_context_rules)
{
	struct dyad_vcpu_regs r;
	uint32_t id;

	ck_assert_int_eq(create("ctx", 16, 2, 0), 0);
	id = created();
	ck_assert_int_eq(dom(DYAD_CTL_UNPAUSE, id), -EINVAL); /* no vCPU 0 state yet */
	r = good_regs();
	ck_assert_int_eq(set_ctx(id, 2, &r), -EINVAL);
	r.cr0 &= ~1ull;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.efer = 0x100;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.cr4 = 0;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.cs.attr = 0xc09b; /* 32-bit code */
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.cr3 = 16u << 20;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.rip = 0x0000800000000000ull;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.rflags = 0x20002; /* VM */
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	r = good_regs(), r.tr.attr = 0;
	ck_assert_int_eq(set_ctx(id, 0, &r), -EINVAL);
	ck_assert(!domain_find(id)->vcpus[0].initialised); /* nothing changed */
	r = good_regs();
	ck_assert_int_eq(set_ctx(id, 0, &r), 0);
	ck_assert_int_eq(dom(DYAD_CTL_UNPAUSE, id), 0);
	ck_assert_int_eq(set_ctx(id, 0, &r), -EBUSY); /* only while paused */
	ck_assert_int_eq(dom(DYAD_CTL_PAUSE, id), 0);
	ck_assert_int_eq(set_ctx(id, 0, &r), 0);
}
END_TEST

START_TEST(shutdown_and_info)
{
	struct dyad_ctl_shutdown sd = {.reason = 5};
	const struct dyad_ctl_dominfo *info;
	const struct dyad_ctl_list *l;

	ck_assert_int_eq(create("a", 16, 1, 0), 0);
	ck_assert_int_eq(create("b", 16, 3, DYAD_CREATE_F_RING3), 0);
	sd.domid = created();
	ck_assert_int_eq(req(DYAD_CTL_SHUTDOWN, &sd, sizeof(sd)), -EINVAL);
	sd.reason = SHUTDOWN_poweroff;
	ck_assert_int_eq(req(DYAD_CTL_SHUTDOWN, &sd, sizeof(sd)), 0);
	ck_assert_int_eq(dom(DYAD_CTL_INFO, sd.domid), 0);
	ck_assert_uint_eq(rep_hdr()->len, sizeof(struct dyad_ctl_status) + sizeof(*info));
	info = (const void *)((const uint8_t *)rep_payload() + sizeof(struct dyad_ctl_status));
	ck_assert_uint_eq(info->state, DYAD_DOMAIN_STATE_SHUTDOWN);
	ck_assert_uint_eq(info->vcpus, 3);
	ck_assert_str_eq(info->name, "b");
	ck_assert_int_eq(req(DYAD_CTL_LIST, NULL, 0), 0);
	l = rep_payload();
	ck_assert_uint_eq(l->count, 2);
	ck_assert_uint_eq(rep_hdr()->len, sizeof(*l) + 2 * sizeof(*info));
	info = (const void *)(l + 1);
	ck_assert_str_eq(info[0].name, "a");
	ck_assert_uint_eq(info[0].state, DYAD_DOMAIN_STATE_PAUSED);
	ck_assert_int_eq(dom(DYAD_CTL_DESTROY, sd.domid), 0); /* a shut-down domain */
	ck_assert_int_eq(dom(DYAD_CTL_INFO, sd.domid), -ESRCH);
}
END_TEST

START_TEST(stream_reads)
{
	struct dyad_ctl_read rd = {.flags = 0};
	const struct dyad_ctl_data *data;
	struct domain *d;

	ck_assert_int_eq(create("con", 16, 1, 0), 0);
	rd.domid = created();
	d = domain_find(rd.domid);
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), 0);
	data = rep_payload();
	ck_assert_uint_eq(data->len, 0);
	ck_assert_uint_eq(data->flags, 0);
	rd.flags = 4;
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), -EINVAL);
	rd.flags = DYAD_READ_F_WAIT;
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), 1); /* parked */
	ck_assert_uint_eq(conn->nparked, 1);
	stream_write(&d->console, "hi", 2);
	control_service();
	ck_assert_int_eq(next_reply(), 0);
	data = rep_payload();
	ck_assert_uint_eq(data->len, 2);
	ck_assert_uint_eq(data->next, 2);
	ck_assert_int_eq(memcmp(data + 1, "hi", 2), 0);
	ck_assert_uint_eq(conn->nparked, 0);
	rd.offset = 2;
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), 1);
	ck_assert_int_eq(dom(DYAD_CTL_DESTROY, rd.domid), 0);
	ck_assert_uint_eq(conn->nparked, 0);
	/* The parked read ended with EOF before the destroy's own reply. */
	ck_assert_uint_eq(rep_hdr()->type, DYAD_CTL_CONSOLE_READ | DYAD_CTL_REPLY);
	data = rep_payload();
	ck_assert_uint_eq(data->flags, DYAD_DATA_F_EOF);
	ck_assert_int_eq(next_reply(), 0); /* the destroy's */
	ck_assert_uint_eq(rep_hdr()->type, DYAD_CTL_DESTROY | DYAD_CTL_REPLY);
	ck_assert_int_eq(req(DYAD_CTL_CONSOLE_READ, &rd, sizeof(rd)), -ESRCH);
}
END_TEST

START_TEST(unauthorised_peer)
{
	conn->authorised = false;
	ck_assert_int_eq(req(DYAD_CTL_LIST, NULL, 0), -EPERM);
	ck_assert(conn->dead);
	ck_assert_int_eq(create("x", 16, 1, 0), -EPERM);
	ck_assert_uint_eq(domain_count(), 0);
}
END_TEST

/* Issue 3's dom0 ops: event-channel ends and the grant table. */
START_TEST(evtchn_gnttab_ops)
{
	struct dyad_ctl_evtchn ev = {.port = 1};
	const struct dyad_ctl_evtchn_dom0 *e;
	const struct dyad_ctl_gnttab *g;
	const char *why;
	struct stat st;
	uint32_t id;

	ck_assert_int_eq(create("ev", 8, 1, 0), 0);
	id = ev.domid = created();
	ck_assert_int_eq(dom(DYAD_CTL_EVTCHN_ALLOC_DOM0, id), 0); /* shared_info from creation */
	ck_assert_int_eq(ctl_msg_check_reply(rep_hdr(), sizeof(*rep_hdr()) + rep_hdr()->len,
					     DYAD_CTL_EVTCHN_ALLOC_DOM0, &why),
			 0);
	e = rep_payload();
	ck_assert_uint_eq(e->guest_port, 1);
	ck_assert_uint_eq(e->shared_info_gpa, DYAD_BOOT_SHARED_INFO);
	ck_assert_int_eq(rep_nfds, 2);
	close(rep_fd);
	close(rep_fd2);
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_BIND_DOM0, &ev, sizeof(ev)), -EINVAL); /* reserved */
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_UNBIND_DOM0, &ev, sizeof(ev)), 0);
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_UNBIND_DOM0, &ev, sizeof(ev)), -EINVAL);
	ev.port = 5000;
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_BIND_DOM0, &ev, sizeof(ev)), -EINVAL);
	ev.domid = 999;
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_BIND_DOM0, &ev, sizeof(ev)), -ESRCH);
	ck_assert_int_eq(dom(DYAD_CTL_GNTTAB_GET, id), 0);
	g = rep_payload();
	ck_assert_uint_eq(g->nr_frames, 0);
	ck_assert_int_eq(rep_nfds, 1);
	ck_assert_int_eq(fstat(rep_fd, &st), 0);
	ck_assert_int_eq(st.st_size, DYAD_ACTIVE_GRANT_SIZE);
	close(rep_fd);
	ck_assert_int_eq(dom(DYAD_CTL_GNTTAB_GET, 999), -ESRCH);
}
END_TEST

static int param(uint16_t type, uint32_t domid, uint32_t index, uint64_t value)
{
	struct dyad_ctl_param p = {.domid = domid, .index = index, .value = value};

	return req(type, &p, sizeof(p));
}

static uint64_t param_value(void)
{
	const struct dyad_ctl_param_rep *r = rep_payload();

	ck_assert_uint_eq(rep_hdr()->len, sizeof(*r));
	return r->value;
}

/* SET_PARAM / GET_PARAM, and the guest's HVMOP_get_param reads the same values. */
START_TEST(params)
{
	struct xen_hvm_param hp = {.domid = DOMID_SELF, .index = HVM_PARAM_STORE_PFN};
	struct pt_builder pt;
	struct hc_ctx c;
	struct domain *d;
	uint32_t id, s_port, c_port;

	ck_assert_int_eq(create("prm", 16, 1, 0), 0);
	id = created();
	d = domain_find(id);
	ck_assert_int_eq(evtchn_alloc_unbound(d, 0, &s_port), 0);
	ck_assert_int_eq(evtchn_alloc_unbound(d, 0, &c_port), 0);
	ck_assert_uint_eq(s_port, 1);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_STORE_PFN, 0), 0);
	ck_assert_uint_eq(param_value(), 0); /* not provided */
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, 6), 0);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN, s_port), 0);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CONSOLE_PFN, 7), 0);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CONSOLE_EVTCHN, c_port), 0);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_CONSOLE_EVTCHN, 99), 0);
	ck_assert_uint_eq(param_value(), c_port);
	/* every error, and none changes anything */
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, 16u << 8), -EINVAL);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, ~0ull), -EINVAL);
	ck_assert_int_eq(
		param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN, DYAD_EVTCHN_MAX_PORTS),
		-EINVAL);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CALLBACK_IRQ, 1), -EINVAL);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, 0xffffffffu, 1), -EINVAL);
	/* a ring PFN must not name a page the core or the boot layout uses */
	static const uint64_t taken[] = {
		DYAD_BOOT_START_INFO >> 12,  DYAD_BOOT_GDT >> 12,  DYAD_BOOT_HYPERCALL_PAGE >> 12,
		DYAD_BOOT_SHARED_INFO >> 12, DYAD_BOOT_PML4 >> 12, DYAD_BOOT_PT0 >> 12,
		(DYAD_BOOT_FREE >> 12) - 1,
	};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, taken[i]),
				 -EINVAL);
		ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CONSOLE_PFN, taken[i]),
				 -EINVAL);
	}
	/* an event channel must be allocated in the domain */
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_EVTCHN, c_port + 1),
			 -EINVAL);
	ck_assert_int_eq(
		param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CONSOLE_EVTCHN, DYAD_EVTCHN_MAX_PORTS - 1),
		-EINVAL);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_CALLBACK_IRQ, 0), -EINVAL);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, 999, HVM_PARAM_STORE_PFN, 6), -ESRCH);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, 999, HVM_PARAM_STORE_PFN, 0), -ESRCH);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_STORE_PFN, 0), 0);
	ck_assert_uint_eq(param_value(), 6);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_STORE_EVTCHN, 0), 0);
	ck_assert_uint_eq(param_value(), s_port);
	ck_assert_int_eq(param(DYAD_CTL_GET_PARAM, id, HVM_PARAM_CONSOLE_PFN, 0), 0);
	ck_assert_uint_eq(param_value(), 7);
	/* the free area is allowed: the first page, and the last page of RAM */
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, DYAD_BOOT_FREE >> 12),
			 0);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, (16u << 8) - 1), 0);
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_STORE_PFN, 6), 0);
	/* the guest's view */
	pt_init(&pt, d->mem.host, d->mem.size, 0x10000);
	pt_map(&pt, 0, 0, PT_P | PT_W | PT_U, 2ull << 20);
	c = hv_test_ctx(d, 0, pt.cr3, 3);
	memcpy(d->mem.host + 0x100000, &hp, sizeof(hp));
	c.arg[0] = HVMOP_get_param, c.arg[1] = 0x100000;
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_hvm_op), -EPERM); /* not ring 3 */
	c = hv_test_ctx(d, 0, pt.cr3, 0);
	c.arg[0] = HVMOP_get_param, c.arg[1] = 0x100000;
	hp.index = HVM_PARAM_CONSOLE_PFN;
	memcpy(d->mem.host + 0x100000, &hp, sizeof(hp));
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_hvm_op), 0);
	memcpy(&hp, d->mem.host + 0x100000, sizeof(hp));
	ck_assert_uint_eq(hp.value, 7);
	/* 0 clears */
	ck_assert_int_eq(param(DYAD_CTL_SET_PARAM, id, HVM_PARAM_CONSOLE_PFN, 0), 0);
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_hvm_op), 0);
	memcpy(&hp, d->mem.host + 0x100000, sizeof(hp));
	ck_assert_uint_eq(hp.value, 0);
}
END_TEST

static int alloc_unbound(uint32_t domid, uint32_t remote, uint32_t *port)
{
	struct dyad_ctl_evtchn_alloc a = {.domid = domid, .remote_dom = remote};
	int rc = req(DYAD_CTL_EVTCHN_ALLOC_UNBOUND, &a, sizeof(a));

	*port = rc ? 0 : ((const struct dyad_ctl_evtchn_port *)rep_payload())->port;
	return rc;
}

/* The toolstack's store/console channels: allocated for the guest, then bound by dom0. */
START_TEST(evtchn_alloc_unbound_op)
{
	struct dyad_ctl_evtchn ev;
	const struct dyad_ctl_evtchn_dom0 *e;
	struct domain *d;
	uint32_t id, other, s, c, p;

	ck_assert_int_eq(create("eau", 8, 1, 0), 0);
	id = created();
	ck_assert_int_eq(create("peer", 8, 1, 0), 0);
	other = created();
	d = domain_find(id);
	ck_assert_int_eq(alloc_unbound(id, 0, &s), 0);		/* before the guest ever ran */
	ck_assert_int_eq(alloc_unbound(id, DOMID_SELF, &c), 0); /* the caller: dom0 */
	ck_assert_uint_eq(s, 1);
	ck_assert_uint_eq(c, 2);
	ck_assert_uint_eq(d->evtchn.port[c].state, EVTCHN_UNBOUND);
	ck_assert_uint_eq(d->evtchn.port[c].rdom, 0);
	ck_assert_int_eq(alloc_unbound(id, other, &p), 0); /* for a guest peer */
	ck_assert_uint_eq(d->evtchn.port[p].rdom, other);
	ev = (struct dyad_ctl_evtchn){.domid = id, .port = p};
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_BIND_DOM0, &ev, sizeof(ev)), -EINVAL); /* not dom0's */
	ev.port = s;
	ck_assert_int_eq(req(DYAD_CTL_EVTCHN_BIND_DOM0, &ev, sizeof(ev)), 0);
	e = rep_payload();
	ck_assert_uint_eq(e->guest_port, s);
	ck_assert_uint_eq(e->shared_info_gpa, DYAD_BOOT_SHARED_INFO);
	ck_assert_int_eq(rep_nfds, 2);
	close(rep_fd);
	close(rep_fd2);
	ck_assert_uint_eq(d->evtchn.port[s].state, EVTCHN_INTERDOMAIN);
	/* errors */
	ck_assert_int_eq(alloc_unbound(id, DOMID_IO, &p), -ESRCH);
	ck_assert_int_eq(alloc_unbound(id, 0xffffffffu, &p), -ESRCH);
	ck_assert_int_eq(alloc_unbound(999, 0, &p), -ESRCH);
	for (uint32_t i = 4; i < DYAD_EVTCHN_MAX_PORTS; i++)
		ck_assert_int_eq(alloc_unbound(id, 0, &p), 0);
	ck_assert_int_eq(alloc_unbound(id, 0, &p), -ENOSPC);
}
END_TEST

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int get_ctx(uint32_t domid, uint32_t vcpu)
{
	struct dyad_ctl_vcpu v = {.domid = domid, .vcpu = vcpu};

	return req(DYAD_CTL_GET_VCPU_CONTEXT, &v, sizeof(v));
}

static const struct dyad_ctl_vcpu_context_rep *ctx_rep(void)
{
	ck_assert_uint_eq(rep_hdr()->len, sizeof(struct dyad_ctl_vcpu_context_rep));
	return rep_payload();
}

/* Registers for core dumps: only while the vCPUs stand still. */
START_TEST(get_vcpu_context_op)
{
	struct dyad_vcpu_regs r = good_regs(), back;
	struct dyad_ctl_shutdown sd = {.reason = SHUTDOWN_crash};
	struct domain *d;
	uint64_t t0;
	uint32_t id;

	ck_assert_int_eq(create("gvc", 16, 2, 0), 0);
	id = created();
	d = domain_find(id);
	ck_assert_int_eq(get_ctx(id, 0), 0); /* paused, never set */
	ck_assert_uint_eq(ctx_rep()->online, 0);
	ck_assert_uint_eq(ctx_rep()->regs.rip, 0);
	r.rax = 0x1234, r.r15 = 0xf15;
	ck_assert_int_eq(set_ctx(id, 0, &r), 0);
	ck_assert_int_eq(get_ctx(id, 0), 0); /* set, not yet loaded */
	back = ctx_rep()->regs;
	ck_assert_uint_eq(ctx_rep()->online, 1);
	ck_assert_uint_eq(back.rip, r.rip);
	ck_assert_uint_eq(back.rax, 0x1234);
	ck_assert_uint_eq(back.r15, 0xf15);
	ck_assert_uint_eq(back.cr3, r.cr3);
	ck_assert_uint_eq(back.efer, r.efer);
	ck_assert_uint_eq(back.cs.attr, r.cs.attr);
	ck_assert_uint_eq(back.cs.selector, DYAD_SEL_KCODE);
	ck_assert_uint_eq(back.tr.attr, 0x8b); /* busy 64-bit TSS, as loaded */
	ck_assert_uint_eq(get_ctx(id, 1), 0);
	ck_assert_uint_eq(ctx_rep()->online, 0);
	/* running: refused */
	ck_assert_int_eq(dom(DYAD_CTL_UNPAUSE, id), 0);
	ck_assert_int_eq(get_ctx(id, 0), -EBUSY);
	while (__atomic_load_n(&fake_kvm_in_run, __ATOMIC_SEQ_CST) == 0)
		sched_yield(); /* vCPU 0 is in (fake) KVM_RUN */
	/* paused after it ran: what KVM left in kvm_run (faked here) */
	ck_assert_int_eq(dom(DYAD_CTL_PAUSE, id), 0);
	ck_assert(d->vcpus[0].ran);
	d->vcpus[0].run->s.regs.regs.rip = 0x200123;
	d->vcpus[0].run->s.regs.sregs.cr3 = 0x30000;
	ck_assert_int_eq(get_ctx(id, 0), 0);
	ck_assert_uint_eq(ctx_rep()->regs.rip, 0x200123);
	ck_assert_uint_eq(ctx_rep()->regs.cr3, 0x30000);
	/* VCPUOP_down: dumped as offline (its registers are stale) */
	ck_assert_int_eq(vcpu_down(&d->vcpus[0]), 0);
	ck_assert_int_eq(get_ctx(id, 0), 0);
	ck_assert_uint_eq(ctx_rep()->online, 0);
	ck_assert_int_eq(vcpu_up(&d->vcpus[0]), 0);
	ck_assert_int_eq(get_ctx(id, 0), 0);
	ck_assert_uint_eq(ctx_rep()->online, 1);
	/* paused but a vCPU still in KVM_RUN: -EAGAIN at once, no wait */
	ck_assert_int_eq(dom(DYAD_CTL_UNPAUSE, id), 0);
	while (__atomic_load_n(&fake_kvm_in_run, __ATOMIC_SEQ_CST) == 0)
		sched_yield();
	pthread_mutex_lock(&d->lock);
	d->paused = true; /* as PAUSE does, minus the kick: the vCPU does not stop */
	pthread_mutex_unlock(&d->lock);
	t0 = now_ms();
	ck_assert_int_eq(get_ctx(id, 0), -EAGAIN);
	ck_assert_int_eq(get_ctx(id, 1), -EAGAIN);
	ck_assert_uint_lt(now_ms() - t0, DOMAIN_PARK_TIMEOUT_MS / 4);
	ck_assert_int_eq(dom(DYAD_CTL_PAUSE, id), 0); /* kicks and waits once */
	ck_assert_int_eq(get_ctx(id, 0), 0);
	/* crashed: allowed, even unpaused */
	ck_assert_int_eq(dom(DYAD_CTL_UNPAUSE, id), 0);
	sd.domid = id;
	ck_assert_int_eq(req(DYAD_CTL_SHUTDOWN, &sd, sizeof(sd)), 0);
	ck_assert_int_eq(get_ctx(id, 0), 0);
	ck_assert(vcpu_parked(&d->vcpus[0])); /* PAUSED still, or STOPPED: not running */
	/* errors */
	ck_assert_int_eq(get_ctx(id, 2), -EINVAL);
	ck_assert_int_eq(get_ctx(id, 0xffffffffu), -EINVAL);
	ck_assert_int_eq(get_ctx(999, 0), -ESRCH);
}
END_TEST

static int rename_uuid(uint32_t domid, const char *name, uint32_t flags, const uint8_t *uuid)
{
	struct dyad_ctl_rename rn = {.domid = domid, .flags = flags};

	memcpy(rn.name, name, strnlen(name, sizeof(rn.name)));
	if (uuid)
		memcpy(rn.uuid, uuid, sizeof(rn.uuid));
	return req(DYAD_CTL_RENAME, &rn, sizeof(rn));
}

static int rename_dom(uint32_t domid, const char *name)
{
	return rename_uuid(domid, name, 0, NULL);
}

/* libxl_domain_preserve: the preserved domain takes a fresh UUID with its new name. */
START_TEST(rename_uuid_op)
{
	static const uint8_t fresh[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t nil[16];
	struct dyad_ctl_dominfo info;
	struct dyad_ctl_event ev;
	struct domain *a, *b;
	uint8_t b_uuid[16];

	ck_assert_int_eq(create("web", 16, 1, 0), 0);
	a = domain_find(created());
	ck_assert_int_eq(create("db", 16, 1, 0), 0);
	b = domain_find(created());
	memset(b->uuid, 0x5a, sizeof(b->uuid)); /* create() here gives the nil UUID */
	memcpy(b_uuid, b->uuid, sizeof(b_uuid));
	ck_assert_int_eq(rename_uuid(a->id, "web-1", DYAD_RENAME_F_UUID, fresh), 0);
	ck_assert_str_eq(a->name, "web-1");
	ck_assert_mem_eq(a->uuid, fresh, 16);
	domain_info(a, &info);
	ck_assert_mem_eq(info.uuid, fresh, 16);
	/* without the flag the UUID stays, whatever the uuid bytes say */
	ck_assert_int_eq(rename_uuid(a->id, "web-2", 0, b_uuid), 0);
	ck_assert_mem_eq(a->uuid, fresh, 16);
	/* its own UUID again: allowed */
	ck_assert_int_eq(rename_uuid(a->id, "web-2", DYAD_RENAME_F_UUID, fresh), 0);
	/* errors, none of which changes the name or the UUID */
	ck_assert_int_eq(rename_uuid(a->id, "web-3", DYAD_RENAME_F_UUID, b_uuid), -EEXIST);
	ck_assert_int_eq(rename_uuid(a->id, "web-3", DYAD_RENAME_F_UUID, nil), -EINVAL);
	ck_assert_int_eq(rename_uuid(a->id, "web-3", 1u << 1, NULL), -EINVAL);
	ck_assert_int_eq(rename_uuid(a->id, "web-3", 0x80000000u | DYAD_RENAME_F_UUID, fresh),
			 -EINVAL);
	ck_assert_int_eq(rename_uuid(a->id, "db", DYAD_RENAME_F_UUID, fresh), -EEXIST);
	ck_assert_str_eq(a->name, "web-2");
	ck_assert_mem_eq(a->uuid, fresh, 16);
	ck_assert_mem_eq(b->uuid, b_uuid, 16);
	/* events carry the new UUID */
	while (notify_drain(&ev, 1) == 1)
		;
	domain_destroy(a);
	ck_assert_uint_eq(notify_drain(&ev, 1), 1);
	ck_assert_uint_eq(ev.kind, DYAD_EVENT_DESTROYED);
	ck_assert_mem_eq(ev.uuid, fresh, 16);
	ck_assert_str_eq(ev.name, "web-2");
}
END_TEST

/* xl's rename-restart: the old domain takes "<name>-<domid>"; list and events follow. */
START_TEST(rename_op)
{
	struct dyad_ctl_shutdown sd = {.reason = SHUTDOWN_reboot};
	const struct dyad_ctl_list *l;
	const struct dyad_ctl_dominfo *info;
	struct dyad_ctl_event ev;
	struct dyad_ctl_rename rn = {0};
	uint32_t a, b;

	ck_assert_int_eq(create("web", 16, 1, 0), 0);
	a = created();
	ck_assert_int_eq(create("db", 16, 1, 0), 0);
	b = created();
	while (notify_drain(&ev, 1) == 1) /* drop the CREATED events */
		;
	ck_assert_int_eq(rename_dom(a, "web-1"), 0);
	ck_assert_int_eq(rename_dom(a, "web-1"), 0); /* its own name: no-op */
	ck_assert_int_eq(req(DYAD_CTL_LIST, NULL, 0), 0);
	l = rep_payload();
	info = (const void *)(l + 1);
	ck_assert_str_eq(info[0].name, "web-1");
	ck_assert_str_eq(info[1].name, "db");
	ck_assert_int_eq(create("web", 16, 1, 0), 0); /* the old name is free again */
	/* errors, none of which renames */
	ck_assert_int_eq(rename_dom(a, "db"), -EEXIST);
	ck_assert_int_eq(rename_dom(b, "web"), -EEXIST);
	ck_assert_int_eq(rename_dom(a, ""), -EINVAL);
	ck_assert_int_eq(rename_dom(a, "42"), -EINVAL);
	ck_assert_int_eq(rename_dom(a, "a b"), -EINVAL);
	rn.domid = a;
	memset(rn.name, 'x', sizeof(rn.name)); /* no NUL */
	ck_assert_int_eq(req(DYAD_CTL_RENAME, &rn, sizeof(rn)), -EINVAL);
	ck_assert_int_eq(rename_dom(999, "zzz"), -ESRCH);
	ck_assert_str_eq(domain_find(a)->name, "web-1");
	/* events carry the new name */
	while (notify_drain(&ev, 1) == 1)
		;
	sd.domid = a;
	ck_assert_int_eq(req(DYAD_CTL_SHUTDOWN, &sd, sizeof(sd)), 0);
	ck_assert_uint_eq(notify_drain(&ev, 1), 1);
	ck_assert_uint_eq(ev.kind, DYAD_EVENT_SHUTDOWN);
	ck_assert_str_eq(ev.name, "web-1");
}
END_TEST

static Suite *ctl_ops_suite(void)
{
	Suite *s = suite_create("ctl_ops");
	TCase *tc = tcase_create("requests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, framing);
	tcase_add_test(tc, create_rules);
	tcase_add_test(tc, unknown_domain);
	tcase_add_test(tc, memfd_is_sealed);
	tcase_add_test(tc, vcpu_context_rules);
	tcase_add_test(tc, shutdown_and_info);
	tcase_add_test(tc, stream_reads);
	tcase_add_test(tc, evtchn_gnttab_ops);
	tcase_add_test(tc, unauthorised_peer);
	tcase_add_test(tc, params);
	tcase_add_test(tc, evtchn_alloc_unbound_op);
	tcase_add_test(tc, get_vcpu_context_op);
	tcase_add_test(tc, rename_op);
	tcase_add_test(tc, rename_uuid_op);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_ops_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
