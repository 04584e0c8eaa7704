// SPDX-License-Identifier: GPL-2.0
/*
 * qmp SOCKET COMMAND...: send QMP commands to a QEMU and print the replies.
 *
 * The host (L1) of the real-VMM migration run has no scripting language
 * beyond busybox sh; this is its QMP client.  Each COMMAND is one JSON
 * object.  The reply to each is printed on one line; asynchronous events
 * are skipped.  Exit status 1 if any reply is an error.  A tool of the
 * run, not a test, and no VFIO client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static FILE *in;

/* Read one reply line that is not an event. */
static char *reply(void)
{
	static char line[1 << 16];

	while (fgets(line, sizeof(line), in)) {
		if (!strstr(line, "\"event\""))
			return line;
	}
	fprintf(stderr, "qmp: connection closed\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, i, ret = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: qmp SOCKET COMMAND...\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(argv[1]);
		return 2;
	}
	in = fdopen(fd, "r");
	reply();			/* the greeting */
	dprintf(fd, "{\"execute\":\"qmp_capabilities\"}\n");
	reply();
	for (i = 2; i < argc; i++) {
		char *r;

		dprintf(fd, "%s\n", argv[i]);
		r = reply();
		fputs(r, stdout);
		if (strstr(r, "\"error\""))
			ret = 1;
	}
	return ret;
}
