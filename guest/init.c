// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guest, the harness's and not a test (so not a
 * selftest, and no VFIO client).  Mounts the pseudo filesystems, binds every QEMU
 * edu device to vfio-pci (or to edu_driver= from the command line), runs the
 * suites of the boot's test plan, /etc/plans/<plan> (plan= on the kernel
 * command line; tests/plans/ in the repository), and powers off.
 *
 * Each plan line is "NAME TIMEOUT_SECONDS COMMAND [ARGS...]"; a COMMAND of
 * @kunit or @iopgtable is built in.  Every suite's output is framed for the
 * host-side parser:
 *
 *	@@ begin NAME
 *	...TAP/KTAP...
 *	@@ end NAME status=N|timeout|signal=N
 *
 * A suite that outlives its limit is killed and ends "timeout after N s
 * (limit M s)", which the host reports apart from failures.  The limits
 * are the plan's; timeout_scale=X on the command line (the knob
 * SUITE_TIMEOUT_SCALE) multiplies them all, to show what a limit hit looks
 * like (docs/timing.md says how far each limit is from the measured time).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	fflush(stdout);
}

/*
 * edu_driver=DRIVER[,DRIVER...] on the command line: the driver of the
 * first, second, ... edu (the last one for the rest), e.g. edu_vfio_pci,
 * the migration driver.  Default: vfio-pci.
 */
static void bind_edu(void)
{
	char drivers[256], *save = NULL, *next;
	const char *driver;
	char path[512], bdf[32];
	int nth, group = -1;

	snprintf(drivers, sizeof(drivers), "%s", getenv("edu_driver") ?: "vfio-pci");
	driver = strtok_r(drivers, ",", &save);
	for (nth = 0; !edu_find(nth, bdf, &group); nth++) {
		if (nth && (next = strtok_r(NULL, ",", &save)))
			driver = next;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
		sysfs_write(path, driver);
		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
		/* Upstream's VFIO selftests take their device from here */
		if (nth == 0)
			setenv("VFIO_SELFTESTS_BDF", bdf, 1);
		if (group >= 0)
			say("init: edu %s bound to %s, IOMMU group %d\n", bdf, driver, group);
		else
			say("init: edu %s bound to %s, no IOMMU group\n", bdf, driver);
	}
}

/*
 * vfio_bind=BDF[,BDF...] on the command line: other devices to bind to
 * vfio-pci (the igb boot's NIC).
 */
static void bind_other(void)
{
	char bdfs[256], *save = NULL, *bdf;
	char path[512], link[512];
	ssize_t len;

	if (!getenv("vfio_bind"))
		return;
	snprintf(bdfs, sizeof(bdfs), "%s", getenv("vfio_bind"));
	for (bdf = strtok_r(bdfs, ",", &save); bdf;
	     bdf = strtok_r(NULL, ",", &save)) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		if (!access(path, W_OK))
			sysfs_write(path, bdf);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
		sysfs_write(path, "vfio-pci");
		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
		len = readlink(path, link, sizeof(link) - 1);
		link[len > 0 ? len : 0] = 0;
		say("init: %s bound to %s\n", bdf,
		    len > 0 ? strrchr(link, '/') + 1 : "no driver");
	}
}

/*
 * Every user task but PID 1 (kernel threads have no command line), with
 * its state and kernel stack, as TAP comments.
 */
static void dump_tasks(void)
{
	struct dirent **ents;
	char path[300], buf[4096];
	int i, n, fd;
	ssize_t len;

	n = scandir("/proc", &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *files[] = { "status", "stack" };
		int pid = atoi(ents[i]->d_name), f;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		fd = pid > 1 && pid != getpid() ? open(path, O_RDONLY) : -1;
		len = fd >= 0 ? read(fd, buf, 1) : 0;
		if (fd >= 0)
			close(fd);
		if (len > 0) {
			for (f = 0; f < 2; f++) {
				snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[f]);
				fd = open(path, O_RDONLY);
				if (fd < 0)
					continue;
				len = read(fd, buf, sizeof(buf) - 1);
				close(fd);
				if (len <= 0)
					continue;
				buf[len] = 0;
				if (f == 0) {
					/* Name and State: the first three lines */
					char *end = strstr(buf, "\nTgid");

					if (end)
						*end = 0;
				}
				for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
					say("# task %d: %s\n", pid, l);
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* KUnit: one suite per debugfs directory, each with its KTAP results. */
static int run_kunit(void)
{
	struct dirent **ents;
	char path[512];
	int i, n;

	n = scandir("/sys/kernel/debug/kunit", &ents, NULL, alphasort);
	if (n < 0) {
		say("# no /sys/kernel/debug/kunit\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "/sys/kernel/debug/kunit/%s/results",
				 ents[i]->d_name);
			cat(path);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

/* The io-pgtable LPAE boot selftest logs one summary line: make it TAP. */
static int run_iopgtable(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *p;
	int pass = -1, fail = -1;

	if (len <= 0)
		return 1;
	buf = calloc(1, len + 1);
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	p = buf;
	while (len > 0 && (p = strstr(p, "arm-lpae io-pgtable: selftest: completed with "))) {
		sscanf(p, "arm-lpae io-pgtable: selftest: completed with %d PASS %d FAIL",
		       &pass, &fail);
		p++;
	}
	free(buf);
	say("TAP version 13\n1..1\n");
	say("# io-pgtable-arm selftest: %d PASS %d FAIL\n", pass, fail);
	say("%sok 1 io-pgtable-arm LPAE boot selftest\n",
	    pass > 0 && fail == 0 ? "" : "not ");
	return 0;
}

/*
 * The console shows only warnings and worse (loglevel=5) so that kernel
 * chatter cannot split a result line.  The whole kernel log still goes
 * into the console record, a block after each suite.
 */
static int kmsg_fd = -1;

static void kmsg_drain(void)
{
	char rec[8192];
	ssize_t n;

	if (kmsg_fd < 0)
		return;
	say("@@ kmsg\n");
	for (;;) {
		char *msg, *p;
		unsigned long long ts = 0;
		int prio = 0;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: skip them */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		sscanf(rec, "%d,%*u,%llu", &prio, &ts);
		msg++;
		/* continuation lines ("\n KEY=value") are dropped */
		p = strchr(msg, '\n');
		if (p)
			*p = 0;
		printf("<%d>[%5llu.%06llu] %s\n", prio & 7, ts / 1000000, ts % 1000000, msg);
	}
	say("@@ kmsg end\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* timeout_scale=X on the kernel command line: every suite's limit times X */
static double timeout_scale(void)
{
	const char *s = getenv("timeout_scale");
	double x = s ? strtod(s, NULL) : 1.0;

	return x > 0 ? x : 1.0;
}

static void run_suite(char *line)
{
	char *argv[32], *name, *tmo, *save, *cmd;
	int argc = 0, status = 0;
	double t0 = now(), timeout;
	pid_t pid;

	name = strtok_r(line, " \t\n", &save);
	tmo = strtok_r(NULL, " \t\n", &save);
	if (!name || name[0] == '#' || !tmo)
		return;
	timeout = atoi(tmo) * timeout_scale();
	while (argc < 31 && (argv[argc] = strtok_r(NULL, " \t\n", &save)))
		argc++;
	argv[argc] = NULL;
	if (!argc)
		return;
	cmd = argv[0];

	say("@@ begin %s\n", name);
	if (!strcmp(cmd, "@kunit")) {
		say("@@ end %s status=%d\n", name, run_kunit());
		kmsg_drain();
		return;
	}
	if (!strcmp(cmd, "@iopgtable")) {
		say("@@ end %s status=%d\n", name, run_iopgtable());
		kmsg_drain();
		return;
	}

	pid = fork();
	if (pid == 0) {
		char dir[512];

		setpgid(0, 0);
		snprintf(dir, sizeof(dir), "%s", cmd);
		if (strrchr(dir, '/')) {
			*strrchr(dir, '/') = 0;
			if (dir[0] && chdir(dir))
				perror("chdir");
		}
		execv(cmd, argv);
		perror(cmd);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (now() - t0 > timeout) {
			dump_tasks();
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			say("\n@@ end %s timeout after %.0f s (limit %.0f s)\n",
			    name, now() - t0, timeout);
			kmsg_drain();
			return;
		}
		usleep(w < 0 ? 1000000 : 20000);
	}
	/* A failed suite: say what is still running, and where it waits. */
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		dump_tasks();
	/* Reap anything the suite left behind. */
	kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (WIFSIGNALED(status))
		say("\n@@ end %s signal=%d time=%.1fs\n", name, WTERMSIG(status), now() - t0);
	else
		say("\n@@ end %s status=%d time=%.1fs\n", name, WEXITSTATUS(status),
		    now() - t0);
	kmsg_drain();
}

int main(void)
{
	const char *plan = getenv("plan");
	char path[256], line[1024];
	FILE *list;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	mkdir("/dev/hugepages", 0755);
	mount("hugetlbfs", "/dev/hugepages", "hugetlbfs", 0, NULL);
	setenv("PATH", "/bin:/selftests", 1);

	if (!plan || !plan[0])
		plan = "httu";
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	say("@@ guest up: plan %s\n", plan);
	/* inject=warn on the command line: a real WARN, to show the run fails */
	if (getenv("inject") && !strcmp(getenv("inject"), "warn"))
		sysfs_write("/sys/kernel/debug/provoke-crash/DIRECT", "WARNING");
	bind_edu();
	bind_other();
	kmsg_drain();

	snprintf(path, sizeof(path), "/etc/plans/%s", plan);
	list = fopen(path, "r");
	if (!list) {
		say("@@ error: no test plan %s\n", path);
	} else {
		while (fgets(line, sizeof(line), list))
			run_suite(line);
		fclose(list);
	}

	say("\n@@ done\n");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
