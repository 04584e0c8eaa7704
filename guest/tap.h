/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the project's own guest programs (those that are not kernel
 * selftests) report: TAP through the kernel's kselftest.h (the
 * plan is checked when the program finishes), and machine-readable data
 * framed for the host's one console reader (scripts/console.py):
 *
 *	@@ data FILE
 *	...lines...
 *	@@ end
 *
 * Frames of the same FILE are joined in order, so a program can emit a
 * CSV row by row, header first.
 */
#ifndef SMMU_HTTU_TAP_H
#define SMMU_HTTU_TAP_H

#include <stdarg.h>
#include <stdio.h>

#include "kselftest.h"

static inline __attribute__((format(printf, 2, 3)))
void data_line(const char *file, const char *fmt, ...)
{
	va_list ap;

	printf("@@ data %s\n", file);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n@@ end\n");
	fflush(stdout);
}

#endif
