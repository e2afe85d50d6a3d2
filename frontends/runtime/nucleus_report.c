/*
 * The record the nucleus fills during boot (include/guest/nucleus_report.h).
 * It lives here, in the runtime's user-accessible data, so ring 3 can read
 * it; only vCPU 0's nucleus writes it, before the drop to ring 3.
 */
#include <guest/nucleus_report.h>

struct nucleus_report nucleus_report;
