/*
 * Fuzz target: arbitrary bytes as a control message, checked both as a
 * request and as a reply to every request type.  The checks must never read
 * past `size`, whatever the header claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *what;
	uint8_t *copy;

	if (size < sizeof(struct dyad_ctl_hdr) || size > DYAD_CTL_MAX_MSG + 64)
		return 0;
	copy = malloc(size); /* exact size, so ASan sees any overread */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ctl_msg_check_request((const struct dyad_ctl_hdr *)copy, size, &what) == 0) {
		long want = ctl_msg_request_size(((const struct dyad_ctl_hdr *)copy)->type);

		if (want < 0 || (size_t)want != size - sizeof(struct dyad_ctl_hdr))
			abort();
	}
	for (uint16_t t = 0; t <= DYAD_CTL_TYPE_MAX; t++)
		(void)!ctl_msg_check_reply((const struct dyad_ctl_hdr *)copy, size, t, &what);
	free(copy);
	return 0;
}
