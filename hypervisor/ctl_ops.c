/*
 * Control operations (see ctl_ops.h): Xen's domctl/sysctl in spirit.
 *
 * Every failure is logged with what was wrong and answered with a status;
 * nothing changes on a failed request.  Requests flagged CTL_F_DOMAIN carry
 * a domid in their first four bytes; the dispatcher resolves it (-ESRCH for
 * an unknown domain) before the handler runs.
 */
#include "ctl_ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <dyad/abi.h>
#include "dmesg.h"
#include <dyad/xen.h>
#include "domain.h"
#include "grant_pin.h"
#include "hvm_param.h"
#include "kvm.h"
#include "log.h"

#define CTL_F_DOMAIN (1u << 0) /* payload starts with a domid that must exist */

/* The list reply must fit one message. */
#define CTL_LIST_MAX                                                                               \
	((DYAD_CTL_MAX_MSG - sizeof(struct dyad_ctl_hdr) - sizeof(struct dyad_ctl_list)) /         \
	 sizeof(struct dyad_ctl_dominfo))

struct ctl_req {
	struct control_conn *c;
	const struct dyad_ctl_hdr *hdr;
	const void *payload;
	struct domain *d; /* with CTL_F_DOMAIN */
};

struct ctl_op {
	int (*fn)(struct ctl_req *r);
	unsigned int flags;
};

static int ctl_fail(struct ctl_req *r, int rc, const char *why)
{
	log_warn_rl("control: %s refused: %s (%s)", ctl_msg_type_name(r->hdr->type), why,
		    strerror(-rc));
	return rc;
}

static int ctl_create(struct ctl_req *r)
{
	struct dyad_ctl_create req;
	struct dyad_ctl_domid rep = {0};
	struct domain *d;
	const char *why;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	rc = domain_check_create(&req, &why);
	if (!rc && domain_count() >= CTL_LIST_MAX)
		rc = -ENOSPC, why = "too many domains";
	if (rc)
		return ctl_fail(r, rc, why);
	rc = domain_create(&req, &d);
	if (rc)
		return ctl_fail(r, rc, "the domain could not be built");
	rep.domid = d->id;
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), -1);
}

static int ctl_get_memfd(struct ctl_req *r)
{
	struct dyad_ctl_memfd rep = {.size = r->d->mem.size};

	return control_reply(r->c, r->hdr, &rep, sizeof(rep), r->d->mem.fd);
}

static int ctl_set_vcpu_context(struct ctl_req *r)
{
	struct dyad_ctl_vcpu_context req;
	struct vcpu_x86_state st;
	const char *why;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	if (req.vcpu >= r->d->nr_vcpus)
		return ctl_fail(r, -EINVAL, "no such vCPU");
	pthread_mutex_lock(&r->d->lock);
	rc = r->d->life != DYAD_DOMAIN_STATE_RUNNING ? -EINVAL : !r->d->paused ? -EBUSY : 0;
	pthread_mutex_unlock(&r->d->lock);
	if (rc)
		return ctl_fail(r, rc, "the domain must be paused and alive");
	if (vcpu_x86_from_ctl(&req.regs, r->d->mem.size, &st, &why))
		return ctl_fail(r, -EINVAL, why);
	rc = vcpu_set_context(&r->d->vcpus[req.vcpu], &st, true);
	if (!rc)
		rc = vcpu_up(&r->d->vcpus[req.vcpu]);
	return rc ? rc : control_reply_status(r->c, r->hdr, 0);
}

static int ctl_pause(struct ctl_req *r)
{
	int rc = domain_pause(r->d);

	if (rc) /* the pause stays in effect; the client unpauses if it gives up */
		return ctl_fail(r, rc, "paused, but a vCPU has not stopped yet");
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_unpause(struct ctl_req *r)
{
	int rc = domain_unpause(r->d);

	if (rc)
		return ctl_fail(r, rc, "vCPU 0 has no register state yet");
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_destroy(struct ctl_req *r)
{
	domain_destroy(r->d);
	control_service(); /* parked console reads of it now end */
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_shutdown(struct ctl_req *r)
{
	struct dyad_ctl_shutdown req;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	rc = domain_shutdown(r->d, req.reason);
	if (rc)
		return ctl_fail(r, rc, "shutdown reason must be 0..4");
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_list(struct ctl_req *r)
{
	static uint8_t buf[DYAD_CTL_MAX_MSG];
	struct dyad_ctl_list *l = (struct dyad_ctl_list *)(void *)buf;
	struct dyad_ctl_dominfo *info = (struct dyad_ctl_dominfo *)(void *)(l + 1);
	uint32_t n = 0;

	memset(l, 0, sizeof(*l));
	for (struct domain *d = domain_next(0); d && n < CTL_LIST_MAX; d = domain_next(d->id))
		domain_info(d, &info[n++]);
	l->count = n;
	return control_reply(r->c, r->hdr, buf, sizeof(*l) + n * sizeof(*info), -1);
}

static int ctl_info(struct ctl_req *r)
{
	/* Like every reply, a status first (ctl_msg.h), then the dominfo. */
	struct {
		struct dyad_ctl_status st;
		struct dyad_ctl_dominfo info;
	} rep;

	memset(&rep, 0, sizeof(rep));
	domain_info(r->d, &rep.info);
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), -1);
}

static int ctl_subscribe(struct ctl_req *r)
{
	r->c->subscriber = true;
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_physinfo(struct ctl_req *r)
{
	struct dyad_ctl_physinfo p = {0};
	struct sysinfo si;

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	p.nr_cpus = cpus > 0 ? (uint32_t)cpus : 1;
	p.max_vcpus = DYAD_MAX_VCPUS;
	if (sysinfo(&si) == 0) {
		p.total_mem_mb = (uint64_t)si.totalram * si.mem_unit >> 20;
		p.free_mem_mb = (uint64_t)si.freeram * si.mem_unit >> 20;
	}
	p.tsc_khz = kvm_host_tsc_khz();
	p.kvm_api_version = (uint32_t)kvm_api_version();
	p.nr_domains = domain_count();
	snprintf(p.kvm_flavour, sizeof(p.kvm_flavour), "%s", kvm_flavour());
	kvm_caps_string(p.caps, sizeof(p.caps));
	snprintf(p.version, sizeof(p.version), "%u.%u", DYAD_VERSION_MAJOR, DYAD_VERSION_MINOR);
	return control_reply(r->c, r->hdr, &p, sizeof(p), -1);
}

/* Reply with stream bytes from r->offset (EOF when a console can grow no more). */
static int ctl_read_reply(struct control_conn *c, const struct dyad_ctl_hdr *hdr, struct stream *s,
			  const struct dyad_ctl_read *rq, bool eof_possible)
{
	static uint8_t buf[sizeof(struct dyad_ctl_data) + DYAD_CTL_READ_MAX];
	struct dyad_ctl_data *data = (struct dyad_ctl_data *)(void *)buf;
	uint64_t start;
	size_t n = stream_read(s, rq->offset, data + 1, DYAD_CTL_READ_MAX, &start);

	memset(data, 0, sizeof(*data));
	data->offset = start;
	data->next = start + n;
	data->len = (uint32_t)n;
	if (eof_possible && data->next >= stream_end(s))
		data->flags = DYAD_DATA_F_EOF;
	return control_reply(c, hdr, buf, sizeof(*data) + n, -1);
}

int ctl_ops_read(struct control_conn *c, const struct dyad_ctl_hdr *hdr,
		 const struct dyad_ctl_read *r, bool parked)
{
	bool console = hdr->type == DYAD_CTL_CONSOLE_READ, dead;
	struct domain *d = console ? domain_find(r->domid) : NULL;
	struct stream *s = console ? (d ? &d->console : NULL) : dmesg_stream();

	if (!s) { /* no such domain; for a parked read: it went away meanwhile */
		struct dyad_ctl_data gone = {
			.offset = r->offset, .next = r->offset, .flags = DYAD_DATA_F_EOF};

		return parked ? control_reply(c, hdr, &gone, sizeof(gone), -1) : -ESRCH;
	}
	dead = console && !domain_alive(d);
	if ((r->flags & DYAD_READ_F_WAIT) && !dead && stream_end(s) <= r->offset)
		return CTL_OPS_PARKED;
	return ctl_read_reply(c, hdr, s, r, dead);
}

static int ctl_read(struct ctl_req *r)
{
	struct dyad_ctl_read req;

	memcpy(&req, r->payload, sizeof(req));
	if (req.flags & ~DYAD_READ_F_WAIT)
		return ctl_fail(r, -EINVAL, "unknown read flags");
	return ctl_ops_read(r->c, r->hdr, &req, false);
}

static int ctl_evtchn_bind_dom0(struct ctl_req *r)
{
	struct dyad_ctl_evtchn req;
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2], rc;

	memcpy(&req, r->payload, sizeof(req));
	if (r->hdr->type == DYAD_CTL_EVTCHN_ALLOC_DOM0)
		rc = evtchn_dom0_alloc(r->d, &rep, fds);
	else
		rc = evtchn_dom0_bind(r->d, req.port, &rep, fds);
	if (rc)
		return ctl_fail(r, rc, "not a port unbound to dom0");
	return control_reply_fds(r->c, r->hdr, &rep, sizeof(rep), fds, 2);
}

static int ctl_evtchn_unbind_dom0(struct ctl_req *r)
{
	struct dyad_ctl_evtchn req;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	rc = evtchn_dom0_unbind(r->d, req.port);
	if (rc)
		return ctl_fail(r, rc, "not a port bound to dom0");
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_gnttab_get(struct ctl_req *r)
{
	struct dyad_ctl_gnttab rep;
	const struct dyad_active_grant_table *t = r->d->gnttab.act;

	memset(&rep, 0, sizeof(rep));
	rep.nr_frames = grant_pin_nr_frames(t);
	for (uint32_t i = 0; i < rep.nr_frames; i++)
		rep.frame_gpa[i] = __atomic_load_n(&t->hdr.frame_gpa[i], __ATOMIC_ACQUIRE);
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), r->d->gnttab.act_fd);
}

static int ctl_set_param(struct ctl_req *r)
{
	struct dyad_ctl_param req;
	const char *why;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	rc = hvm_param_set(r->d, req.index, req.value, &why);
	if (rc)
		return ctl_fail(r, rc, why);
	return control_reply_status(r->c, r->hdr, 0);
}

static int ctl_get_param(struct ctl_req *r)
{
	struct dyad_ctl_param req;
	struct dyad_ctl_param_rep rep = {0};

	memcpy(&req, r->payload, sizeof(req));
	if (hvm_param_get(r->d, req.index, &rep.value))
		return ctl_fail(r, -EINVAL, "unknown HVM parameter");
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), -1);
}

/* Xen's privileged alloc_unbound: DOMID_SELF names the caller, dom0. */
static int ctl_evtchn_alloc_unbound(struct ctl_req *r)
{
	struct dyad_ctl_evtchn_alloc req;
	struct dyad_ctl_evtchn_port rep = {0};
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	if (req.remote_dom == DOMID_SELF)
		req.remote_dom = 0;
	rc = evtchn_alloc_unbound(r->d, req.remote_dom, &rep.port);
	if (rc)
		return ctl_fail(r, rc,
				rc == -ENOSPC ? "the domain has no free event channel"
					      : "remote_dom is not a domain id");
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), -1);
}

static const char *ctl_vcpu_context_why(int rc)
{
	switch (rc) {
	case -EINVAL:
		return "no such vCPU";
	case -EAGAIN:
		return "paused, but a vCPU has not stopped yet (try again)";
	default:
		return "the domain must be paused, shut down or crashed";
	}
}

static int ctl_get_vcpu_context(struct ctl_req *r)
{
	struct dyad_ctl_vcpu req;
	struct dyad_ctl_vcpu_context_rep rep;
	bool online = false;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	rc = domain_get_vcpu_context(r->d, req.vcpu, &rep.regs, &online);
	if (rc)
		return ctl_fail(r, rc, ctl_vcpu_context_why(rc));
	rep.online = online;
	return control_reply(r->c, r->hdr, &rep, sizeof(rep), -1);
}

static int ctl_rename(struct ctl_req *r)
{
	struct dyad_ctl_rename req;
	const char *why;
	int rc;

	memcpy(&req, r->payload, sizeof(req));
	if (req.flags & ~DYAD_RENAME_F_UUID)
		return ctl_fail(r, -EINVAL, "unknown rename flags");
	rc = domain_rename(r->d, req.name, sizeof(req.name),
			   req.flags & DYAD_RENAME_F_UUID ? req.uuid : NULL, &why);
	if (rc)
		return ctl_fail(r, rc, why);
	return control_reply_status(r->c, r->hdr, 0);
}

static const struct ctl_op ctl_ops[DYAD_CTL_TYPE_MAX] = {
	[DYAD_CTL_CREATE] = {ctl_create, 0},
	[DYAD_CTL_GET_MEMFD] = {ctl_get_memfd, CTL_F_DOMAIN},
	[DYAD_CTL_SET_VCPU_CONTEXT] = {ctl_set_vcpu_context, CTL_F_DOMAIN},
	[DYAD_CTL_PAUSE] = {ctl_pause, CTL_F_DOMAIN},
	[DYAD_CTL_UNPAUSE] = {ctl_unpause, CTL_F_DOMAIN},
	[DYAD_CTL_DESTROY] = {ctl_destroy, CTL_F_DOMAIN},
	[DYAD_CTL_LIST] = {ctl_list, 0},
	[DYAD_CTL_INFO] = {ctl_info, CTL_F_DOMAIN},
	[DYAD_CTL_DMESG] = {ctl_read, 0},
	[DYAD_CTL_CONSOLE_READ] = {ctl_read, 0},
	[DYAD_CTL_SUBSCRIBE] = {ctl_subscribe, 0},
	[DYAD_CTL_PHYSINFO] = {ctl_physinfo, 0},
	[DYAD_CTL_SHUTDOWN] = {ctl_shutdown, CTL_F_DOMAIN},
	[DYAD_CTL_EVTCHN_BIND_DOM0] = {ctl_evtchn_bind_dom0, CTL_F_DOMAIN},
	[DYAD_CTL_EVTCHN_ALLOC_DOM0] = {ctl_evtchn_bind_dom0, CTL_F_DOMAIN},
	[DYAD_CTL_EVTCHN_UNBIND_DOM0] = {ctl_evtchn_unbind_dom0, CTL_F_DOMAIN},
	[DYAD_CTL_GNTTAB_GET] = {ctl_gnttab_get, CTL_F_DOMAIN},
	[DYAD_CTL_SET_PARAM] = {ctl_set_param, CTL_F_DOMAIN},
	[DYAD_CTL_GET_PARAM] = {ctl_get_param, CTL_F_DOMAIN},
	[DYAD_CTL_EVTCHN_ALLOC_UNBOUND] = {ctl_evtchn_alloc_unbound, CTL_F_DOMAIN},
	[DYAD_CTL_GET_VCPU_CONTEXT] = {ctl_get_vcpu_context, CTL_F_DOMAIN},
	[DYAD_CTL_RENAME] = {ctl_rename, CTL_F_DOMAIN},
};

int ctl_ops_dispatch(struct control_conn *c, const struct dyad_ctl_hdr *hdr, const void *payload)
{
	struct ctl_req r = {.c = c, .hdr = hdr, .payload = payload};
	const struct ctl_op *op = &ctl_ops[hdr->type];
	uint32_t domid;

	if (op->flags & CTL_F_DOMAIN) {
		memcpy(&domid, payload, sizeof(domid));
		r.d = domain_find(domid);
		if (!r.d)
			return ctl_fail(&r, -ESRCH, "no such domain");
	}
	return op->fn(&r);
}
