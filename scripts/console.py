#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read a guest console log once, and split it into files.

    console.py LOG OUTDIR

The guest frames what the host reads (guest/init.c, guest/tap.h):

    @@ begin NAME                       a suite's TAP starts
    @@ end NAME status=N|signal=N|timeout ...   and ends
    @@ data FILE                        machine-readable data starts
    @@ end                              and ends
    # FILE.csv: ROW                     a suite's CSV row, the way a
                                        kernel selftest prints it (a TAP
                                        comment); a row that repeats the
                                        file's first (its header) is
                                        dropped
    @@ kmsg ... @@ kmsg end             the kernel log after a suite
    @@ done                             PID 1 finished the boot's plan
    @@ host: guest timed out ...        the host killed the guest at its
                                        limit (scripts/run-guest.sh)

Writes into OUTDIR:

    index.json      the boot: did it finish (or time out), the count of
                    missed-invalidation reports the emulated SMMU printed
                    at exit (absent: QEMU did not say), its suites (name, end line,
                    TAP file) in order, its data files, and every kernel
                    report (WARNING, BUG, Oops, KASAN, lockdep, hung task,
                    stall, missed invalidation) found anywhere in the log
    tap/NAME.tap    each suite's TAP, NAME's slashes as directories
    data/FILE       each data frame; frames of the same FILE are joined

Everything else (the report, the tables, the plots) reads these files.
"""
import json
import os
import re
import sys

# Kernel and emulator reports that fail a run wherever they appear.
BAD = [
    (re.compile(r'WARNING: CPU: \d+ PID: \d+|WARNING: .* at '), 'kernel WARNING'),
    (re.compile(r'BUG: KCSAN: '), 'KCSAN data race'),
    (re.compile(r'BUG: '), 'kernel BUG'),
    (re.compile(r'Oops[: ]|Internal error: Oops'), 'kernel Oops'),
    (re.compile(r'Kernel panic'), 'kernel panic'),
    (re.compile(r'KASAN:|BUG: KASAN'), 'KASAN report'),
    (re.compile(r'possible circular locking|inconsistent lock state|'
                r'possible recursive locking|suspicious RCU usage|'
                r'held when returning to user space|lock held by|'
                r'DEBUG_LOCKS_WARN_ON|possible irq lock inversion'),
     'lockdep report'),
    (re.compile(r'blocked for more than \d+ seconds|hung_task'), 'hung task'),
    (re.compile(r'rcu: INFO: .*detected stall|self-detected stall'), 'RCU stall'),
    (re.compile(r'soft lockup'), 'soft lockup'),
    (re.compile(r'smmuv3: missed invalidation|missed TLB invalidation'),
     'missed invalidation (emulated SMMU)'),
]

# The emulated SMMU's oracle prints its count of reports when QEMU exits
# (x-stale-tlb-check); each report is also a guest error line (BAD above).
ORACLE = re.compile(r'x-stale-tlb-check: (\d+) report')

# A CSV row in a suite's TAP: "# bench.csv: a,b,c"
CSV_ROW = re.compile(r'^# ([A-Za-z0-9_.-]+\.csv): (.*)$')

# A kernel console line that landed inside a data frame.
KERNEL_LINE = re.compile(r'^<\d>\[|^\[\s*\d+\.\d+\]')
SAFE = re.compile(r'[^A-Za-z0-9_.+,=-]')


def safe_path(name):
    parts = [SAFE.sub('_', p) for p in name.split('/') if p not in ('', '.', '..')]
    return '/'.join(parts) or '_'


def qemu_log(log):
    """Where run-guest.sh puts QEMU's log of the boot whose console is log."""
    return (log[:-4] if log.endswith('.log') else log) + '.qemu.log'


def scan_reports(index, s, suite=None):
    """Count the oracle's total or a kernel or emulator report on line s
    into index, with the suite that was running (None: none, or QEMU's own
    log); True for the oracle's line, which is nothing else."""
    m = ORACLE.search(s)
    if m:
        index['oracle'] = index.get('oracle', 0) + int(m.group(1))
        return True
    for rx, what in BAD:
        if rx.search(s):
            # Whole: the oracle's reason comes last, and a CI run's report
            # is all that is left of its console.
            index['reports'].append({'what': what, 'line': s.strip()[:1000],
                                     'suite': suite and suite['name']})
            break
    return False


def split(log, outdir):
    try:
        with open(log, errors='replace') as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    index = {'log': os.path.abspath(log), 'done': False, 'suites': [],
             'data': [], 'reports': [], 'lines': len(lines)}
    # QEMU's own log, when the plan sent it apart (@qemulog): its reports
    # count as the console's.
    qlog = qemu_log(log)
    if os.path.exists(qlog):
        index['qemu_log'] = os.path.abspath(qlog)
        with open(qlog, errors='replace') as f:
            for s in f:
                scan_reports(index, s)
    suite = None
    data = None
    data_lines = {}
    tap = {}
    for s in lines:
        s = s.rstrip('\r')
        if scan_reports(index, s, suite):
            continue
        if data is not None:
            if s == '@@ end':
                data = None
            elif not KERNEL_LINE.match(s):
                data_lines[data].append(s)
            continue
        if s.startswith('@@ data '):
            data = safe_path(s[8:].strip())
            if data not in data_lines:
                data_lines[data] = []
                index['data'].append(data)
            continue
        m = CSV_ROW.match(s) if suite is not None else None
        if m:
            f = safe_path(m.group(1))
            if f not in data_lines:
                data_lines[f] = []
                index['data'].append(f)
            if not data_lines[f] or data_lines[f][0] != m.group(2):
                data_lines[f].append(m.group(2))
        if s.startswith('@@ begin '):
            name = s[9:].strip()
            suite = {'name': name, 'end': None, 'tap': 'tap/%s.tap' % safe_path(name)}
            index['suites'].append(suite)
            tap[suite['tap']] = []
            continue
        if s.startswith('@@ end ') and suite is not None:
            rest = s[7:].split(None, 1)
            suite['end'] = rest[1] if len(rest) > 1 else ''
            suite = None
            continue
        if s.startswith('@@ done'):
            index['done'] = True
            continue
        if s.startswith('@@ host: guest timed out'):
            index['host_timeout'] = s[len('@@ host: guest '):].strip()
            continue
        if s.startswith('@@ '):
            continue
        if suite is not None:
            tap[suite['tap']].append(s)

    os.makedirs(outdir, exist_ok=True)
    for path, body in tap.items():
        full = os.path.join(outdir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write('\n'.join(body) + ('\n' if body else ''))
    for name, body in data_lines.items():
        full = os.path.join(outdir, 'data', name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write('\n'.join(body) + ('\n' if body else ''))
    with open(os.path.join(outdir, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
    return index


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    split(sys.argv[1], sys.argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main())
