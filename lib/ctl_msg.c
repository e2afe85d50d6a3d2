/*
 * Validation of control-protocol framing (see ctl_msg.h).  The request-size
 * table is the single place that says how big each request is; both the core
 * and its clients use it, and the fuzz target drives it with arbitrary bytes.
 */
#include "ctl_msg.h"

#include <errno.h>
#include <string.h>

struct ctl_msg_desc {
	const char *name;
	long req_size; /* exact payload size of a request */
	long rep_min;  /* smallest valid reply payload */
};

static const struct ctl_msg_desc ctl_msg_table[DYAD_CTL_TYPE_MAX] = {
	[DYAD_CTL_CREATE] = {"create", sizeof(struct dyad_ctl_create),
			     sizeof(struct dyad_ctl_domid)},
	[DYAD_CTL_GET_MEMFD] = {"get-memfd", sizeof(struct dyad_ctl_dom),
				sizeof(struct dyad_ctl_memfd)},
	[DYAD_CTL_SET_VCPU_CONTEXT] = {"set-vcpu-context", sizeof(struct dyad_ctl_vcpu_context),
				       sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_PAUSE] = {"pause", sizeof(struct dyad_ctl_dom), sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_UNPAUSE] = {"unpause", sizeof(struct dyad_ctl_dom),
			      sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_DESTROY] = {"destroy", sizeof(struct dyad_ctl_dom),
			      sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_LIST] = {"list", 0, sizeof(struct dyad_ctl_list)},
	[DYAD_CTL_INFO] = {"info", sizeof(struct dyad_ctl_dom),
			   sizeof(struct dyad_ctl_status) + sizeof(struct dyad_ctl_dominfo)},
	[DYAD_CTL_DMESG] = {"dmesg", sizeof(struct dyad_ctl_read), sizeof(struct dyad_ctl_data)},
	[DYAD_CTL_CONSOLE_READ] = {"console-read", sizeof(struct dyad_ctl_read),
				   sizeof(struct dyad_ctl_data)},
	[DYAD_CTL_SUBSCRIBE] = {"subscribe", 0, sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_PHYSINFO] = {"physinfo", 0, sizeof(struct dyad_ctl_physinfo)},
	[DYAD_CTL_SHUTDOWN] = {"shutdown", sizeof(struct dyad_ctl_shutdown),
			       sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_EVTCHN_BIND_DOM0] = {"evtchn-bind-dom0", sizeof(struct dyad_ctl_evtchn),
				       sizeof(struct dyad_ctl_evtchn_dom0)},
	[DYAD_CTL_EVTCHN_ALLOC_DOM0] = {"evtchn-alloc-dom0", sizeof(struct dyad_ctl_dom),
					sizeof(struct dyad_ctl_evtchn_dom0)},
	[DYAD_CTL_EVTCHN_UNBIND_DOM0] = {"evtchn-unbind-dom0", sizeof(struct dyad_ctl_evtchn),
					 sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_GNTTAB_GET] = {"gnttab-get", sizeof(struct dyad_ctl_dom),
				 sizeof(struct dyad_ctl_gnttab)},
	[DYAD_CTL_SET_PARAM] = {"set-param", sizeof(struct dyad_ctl_param),
				sizeof(struct dyad_ctl_status)},
	[DYAD_CTL_GET_PARAM] = {"get-param", sizeof(struct dyad_ctl_param),
				sizeof(struct dyad_ctl_param_rep)},
	[DYAD_CTL_EVTCHN_ALLOC_UNBOUND] = {"evtchn-alloc-unbound",
					   sizeof(struct dyad_ctl_evtchn_alloc),
					   sizeof(struct dyad_ctl_evtchn_port)},
	[DYAD_CTL_GET_VCPU_CONTEXT] = {"get-vcpu-context", sizeof(struct dyad_ctl_vcpu),
				       sizeof(struct dyad_ctl_vcpu_context_rep)},
	[DYAD_CTL_RENAME] = {"rename", sizeof(struct dyad_ctl_rename),
			     sizeof(struct dyad_ctl_status)},
};

static const struct ctl_msg_desc *ctl_msg_desc(uint16_t type)
{
	if (type == 0 || type >= DYAD_CTL_TYPE_MAX)
		return NULL;
	return &ctl_msg_table[type];
}

long ctl_msg_request_size(uint16_t type)
{
	const struct ctl_msg_desc *d = ctl_msg_desc(type);

	return d ? d->req_size : -1;
}

const char *ctl_msg_type_name(uint16_t type)
{
	const struct ctl_msg_desc *d = ctl_msg_desc(type & (uint16_t)~DYAD_CTL_REPLY);

	if (type == DYAD_CTL_EVENT)
		return "event";
	return d ? d->name : "unknown";
}

static int ctl_msg_check_frame(const struct dyad_ctl_hdr *hdr, size_t total, const char **what)
{
	if (total < sizeof(*hdr)) {
		*what = "message shorter than its header";
		return -EPROTO;
	}
	if (hdr->magic != DYAD_CTL_MAGIC) {
		*what = "bad magic";
		return -EPROTO;
	}
	if (hdr->version != DYAD_CTL_VERSION) {
		*what = "unsupported protocol version";
		return -EPROTO;
	}
	if (total > DYAD_CTL_MAX_MSG || hdr->len != total - sizeof(*hdr)) {
		*what = "payload length does not match the message";
		return -EPROTO;
	}
	return 0;
}

int ctl_msg_check_request(const struct dyad_ctl_hdr *hdr, size_t total, const char **what)
{
	const struct ctl_msg_desc *d;
	int rc = ctl_msg_check_frame(hdr, total, what);

	if (rc)
		return rc;
	d = ctl_msg_desc(hdr->type);
	if (!d) {
		*what = "unknown request type";
		return -EOPNOTSUPP;
	}
	if ((long)hdr->len != d->req_size) {
		*what = "wrong payload size for this request type";
		return -EMSGSIZE;
	}
	*what = NULL;
	return 0;
}

int ctl_msg_check_reply(const struct dyad_ctl_hdr *hdr, size_t total, uint16_t req_type,
			const char **what)
{
	const struct ctl_msg_desc *d = ctl_msg_desc(req_type);
	int rc = ctl_msg_check_frame(hdr, total, what);

	if (rc)
		return rc;
	if (hdr->type == DYAD_CTL_EVENT) {
		if (hdr->len != sizeof(struct dyad_ctl_event)) {
			*what = "wrong payload size for an event";
			return -EMSGSIZE;
		}
		*what = NULL;
		return 0;
	}
	if (!d || hdr->type != (req_type | DYAD_CTL_REPLY)) {
		*what = "reply to a different request type";
		return -EPROTO;
	}
	if (hdr->len < sizeof(struct dyad_ctl_status)) {
		*what = "reply shorter than its status";
		return -EMSGSIZE;
	}
	/* An error reply carries only the status. */
	if (((const struct dyad_ctl_status *)(hdr + 1))->status == 0 &&
	    (long)hdr->len < d->rep_min) {
		*what = "reply shorter than its type";
		return -EMSGSIZE;
	}
	*what = NULL;
	return 0;
}

int ctl_msg_check_name(const char *name, size_t cap)
{
	size_t n = strnlen(name, cap);
	int all_digits = 1;

	if (n == 0 || n == cap)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		if (!ok)
			return -EINVAL;
		if (c < '0' || c > '9')
			all_digits = 0;
	}
	return all_digits ? -EINVAL : 0;
}
