#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a guest console log into a test report.

Reads the suites PID 1 framed with "@@ begin NAME" / "@@ end NAME ...",
counts the leaf results of the (K)TAP inside each, applies the list of
known base failures, and scans the whole log for kernel reports.  Prints an
ok/not ok line per suite and ends with "N passed, N failed, N skipped".
Exit status: 0 only when nothing failed and at least one test ran.
"""
import fnmatch
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\s+\d+\s*-?\s*([^#]*?)\s*(#\s*(.*))?$')
SUBTEST = re.compile(r'^(\s*)#\s*Subtest:\s*(\S+)')

# Kernel reports that fail a run wherever they appear in the console.
BAD = [
    (re.compile(r'WARNING: CPU: \d+ PID: \d+|WARNING: .* at '), 'kernel WARNING'),
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
]


def load_known(path):
    known = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                parts = line.split(None, 2)
                if len(parts) < 2:
                    continue
                known.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ''))
    except FileNotFoundError:
        pass
    return known


def known_reason(known, suite, test):
    for s, t, why in known:
        if fnmatch.fnmatchcase(suite, s) and fnmatch.fnmatchcase(test, t):
            return why or 'known failure'
    return None


def parse_suite(lines):
    """Leaf results of one suite: a result line is a leaf unless a deeper
    result line came right before it (then it closes a subtest)."""
    leaves = []
    prev_indent = -1
    subtests = {}
    for line in lines:
        line = line.rstrip('\r\n')
        m = SUBTEST.match(line)
        if m:
            subtests[len(m.group(1))] = m.group(2)
            for k in [k for k in subtests if k > len(m.group(1))]:
                del subtests[k]
            continue
        m = RESULT.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        if prev_indent > indent:
            prev_indent = indent
            continue
        prev_indent = indent
        name = m.group(3).strip()
        parents = [subtests[k] for k in sorted(subtests) if k < indent]
        if parents and not name.startswith(parents[-1]):
            name = parents[-1] + '.' + name
        directive = (m.group(5) or '').strip()
        if directive.upper().startswith('SKIP'):
            state = 'skip'
        elif directive.upper().startswith('XFAIL'):
            state = 'pass'
        elif m.group(2) == 'ok':
            state = 'pass'
        else:
            state = 'fail'
        leaves.append((name, state, directive))
    return leaves


def read_log(path, label, suites, problems):
    """Collect the framed suites of one console log; note kernel reports."""
    cur = None
    done = False
    prefix = label + ': ' if label else ''
    try:
        with open(path, errors='replace') as f:
            lines = f.readlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        s = line.rstrip('\r\n')
        for rx, what in BAD:
            if rx.search(s):
                problems.append('%s%s: %s' % (prefix, what, s.strip()[:160]))
                break
        if s.startswith('@@ begin '):
            cur = {'name': prefix + s[9:].strip(), 'base': s[9:].strip(),
                   'lines': [], 'end': None}
            suites.append(cur)
            continue
        if s.startswith('@@ end ') and cur:
            rest = s[7:].split(None, 1)
            cur['end'] = rest[1] if len(rest) > 1 else ''
            cur = None
            continue
        if s.startswith('@@ done'):
            done = True
        if cur is not None:
            cur['lines'].append(s)
    if not done:
        problems.append('%sguest did not reach the end of its run (panic, '
                        'crash or timeout): %s' % (prefix, path))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        print('usage: report.py KNOWN-FAILURES [LABEL=]CONSOLE-LOG...')
        return 2
    known = load_known(sys.argv[1])
    boots = [a.split('=', 1) if '=' in a else ('', a) for a in sys.argv[2:]]
    if len(boots) == 1:
        boots = [('', boots[0][1])]

    suites = []
    problems = []
    for label, path in boots:
        read_log(path, label, suites, problems)

    npass = nfail = nskip = nxfail = 0
    failed_names = []
    for suite in suites:
        name = suite['name']
        leaves = parse_suite(suite['lines'])
        p = f = k = x = 0
        for test, state, directive in leaves:
            reason = known_reason(known, suite['base'], test)
            if state == 'fail' and reason:
                x += 1
            elif state == 'pass' and reason:
                f += 1
                failed_names.append('%s: %s (passed, but listed as a known '
                                    'failure: update tests/known-failures)' % (name, test))
            elif state == 'fail':
                f += 1
                failed_names.append('%s: %s' % (name, test))
            elif state == 'skip':
                k += 1
            else:
                p += 1
        end = suite['end']
        if end is None:
            f += 1
            failed_names.append('%s: did not finish (guest died or timed out)' % name)
        elif not end.startswith('status=0') and not (end.startswith('status=') and leaves):
            # A non-zero exit with results is counted by its results; a
            # timeout, a signal or an exit with no results is a failure.
            f += 1
            failed_names.append('%s: %s' % (name, end))
        elif not leaves:
            f += 1
            failed_names.append('%s: no results' % name)
        extra = ', %d known base failures' % x if x else ''
        print('%s %s (%d passed, %d failed, %d skipped%s)' %
              ('ok' if f == 0 else 'not ok', name, p, f, k, extra))
        npass += p
        nfail += f
        nskip += k
        nxfail += x

    if problems:
        seen = set()
        print('not ok kernel console (%d reports)' % len(problems))
        for pr in problems:
            if pr not in seen:
                print('  ' + pr)
                seen.add(pr)
        nfail += 1
    else:
        print('ok kernel console (no WARNING, BUG, Oops, KASAN, lockdep, hung '
              'task or stall reports)')

    if failed_names:
        print('failed:')
        for n in failed_names:
            print('  ' + n)
    if nxfail:
        print('known base failures, not counted (tests/known-failures): %d' % nxfail)
    print('%d passed, %d failed, %d skipped' % (npass, nfail, nskip))
    return 0 if nfail == 0 and npass > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
