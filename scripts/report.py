#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn split console logs into a test report.

    report.py KNOWN-FAILURES LABEL=PATH...

PATH is a boot's split directory (scripts/console.py wrote its index.json,
run.sh its plan) or a console log BOOT.log, which is split first (its plan
is BOOT.plan beside it).  Every suite of the boot's plan must have run.  For each suite: counts the leaf
results of its (K)TAP, applies the list of known base failures, and checks
that the suite kept its promises: it finished, every TAP plan ("1..N")
matches the results under it, and a non-zero exit comes with a failing
result.  Every kernel report in a log fails the run.  Prints an ok/not ok
line per suite and ends with "N passed, N failed, N skipped".  The boot
labelled "harness" (the reporter's own test) is reported apart from the
kernel's counts.  Exit status: 0 only when nothing failed and at least one
kernel test passed.
"""
import fnmatch
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console  # noqa: E402

RESULT = re.compile(r'^(\s*)(not ok|ok)\s+\d+\s*-?\s*([^#]*?)\s*(#\s*(.*))?$')
SUBTEST = re.compile(r'^(\s*)#\s*Subtest:\s*(\S+)')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)\s*(#.*)?$')
VERSION = re.compile(r'^(\s*)K?TAP version \d+')


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


def check_plans(lines):
    """The TAP plans that the results do not match, as messages.

    A plan ("1..N") counts the results at its own indentation that follow
    it (or precede it, for a plan at the end) until a new plan, a version
    line or a result at a shallower level closes it."""
    levels = {}    # indent -> [plan or None, count]
    bad = []

    def close(indent):
        plan, count = levels.pop(indent)
        if plan is not None and plan != count:
            bad.append('planned %d results, %s %d' %
                       (plan, 'got' if count < plan else 'but got', count))

    for line in lines:
        line = line.rstrip('\r\n')
        m = VERSION.match(line)
        if m:
            d = len(m.group(1))
            for k in sorted([k for k in levels if k >= d], reverse=True):
                close(k)
            continue
        m = PLAN.match(line)
        if m:
            d = len(m.group(1))
            n = int(m.group(2))
            for k in sorted([k for k in levels if k > d], reverse=True):
                close(k)
            cur = levels.get(d)
            if cur and cur[0] is None and cur[1] > 0:
                cur[0] = n      # a plan at the end
                close(d)
                continue
            if cur:
                close(d)
            levels[d] = [n, 0]
            continue
        m = RESULT.match(line)
        if m:
            d = len(m.group(1))
            for k in sorted([k for k in levels if k > d], reverse=True):
                close(k)
            levels.setdefault(d, [None, 0])[1] += 1
    for k in sorted(levels, reverse=True):
        close(k)
    if not any(PLAN.match(line) for line in lines) and \
       any(RESULT.match(line) for line in lines):
        bad.append('no plan ("1..N") for its results')
    return bad


def load_boot(label, path, tmpdirs):
    """A boot's index, splitting its console log first when given one."""
    if os.path.isdir(path):
        with open(os.path.join(path, 'index.json')) as f:
            index = json.load(f)
        index['dir'] = path
        return index
    d = tempfile.mkdtemp(prefix='report-')
    tmpdirs.append(d)
    index = console.split(path, d)
    plan = os.path.splitext(path)[0] + '.plan'
    if os.path.exists(plan):
        with open(plan) as src, open(os.path.join(d, 'plan'), 'w') as dst:
            dst.write(src.read())
    index['dir'] = d
    return index


def report_suite(known, label, suite, boot_dir):
    """Counts and failure messages of one suite."""
    name = (label + ': ' if label else '') + suite['name']
    try:
        with open(os.path.join(boot_dir, suite['tap']), errors='replace') as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    leaves = parse_suite(lines)
    p = f = k = x = 0
    failed = []
    for test, state, directive in leaves:
        # An entry names the suite alone, or BOOT/suite for one boot.
        reason = known_reason(known, suite['name'], test) or \
            known_reason(known, '%s/%s' % (label, suite['name']), test)
        if state == 'fail' and reason:
            x += 1
        elif state == 'pass' and reason:
            f += 1
            failed.append('%s: %s (passed, but listed as a known '
                          'failure: update tests/known-failures)' % (name, test))
        elif state == 'fail':
            f += 1
            failed.append('%s: %s' % (name, test))
        elif state == 'skip':
            k += 1
        else:
            p += 1
    end = suite['end']
    if end is None:
        f += 1
        failed.append('%s: did not finish (guest died or timed out)' % name)
    elif not end.startswith('status='):
        f += 1
        failed.append('%s: %s' % (name, end))
    elif not end.startswith('status=0') and not any(st == 'fail' for _, st, _ in leaves):
        # A known failure explains a non-zero exit; nothing else does.
        f += 1
        failed.append('%s: exited with %s but reported no failing result' %
                      (name, end.split()[0]))
    if not leaves:
        f += 1
        failed.append('%s: no results' % name)
    for msg in check_plans(lines):
        f += 1
        failed.append('%s: TAP plan not kept: %s' % (name, msg))
    extra = ', %d known base failures' % x if x else ''
    line = '%s %s (%d passed, %d failed, %d skipped%s)' % (
        'ok' if f == 0 else 'not ok', name, p, f, k, extra)
    return line, (p, f, k, x), failed


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    known = load_known(sys.argv[1])
    boots = [a.split('=', 1) if '=' in a else ('', a) for a in sys.argv[2:]]

    tmpdirs = []
    totals = {'kernel': [0, 0, 0, 0], 'harness': [0, 0, 0, 0]}
    failed_names = []
    problems = []
    for label, path in boots:
        index = load_boot(label, path, tmpdirs)
        which = 'harness' if label == 'harness' else 'kernel'
        prefix = label + ': ' if label else ''
        for suite in index['suites']:
            line, counts, failed = report_suite(known, label, suite, index['dir'])
            print(line)
            failed_names += failed
            for i in range(4):
                totals[which][i] += counts[i]
        # The boot's plan (tests/plans/<boot>): every suite in it ran.
        ran = set(x['name'] for x in index['suites'])
        try:
            with open(os.path.join(index['dir'], 'plan')) as f:
                planned = [ln.split()[0] for ln in f if ln.strip()]
        except FileNotFoundError:
            planned = []
        for name in planned:
            if name not in ran:
                totals[which][1] += 1
                print('not ok %s%s (planned, never ran)' % (prefix, name))
                failed_names.append('%s%s: in the boot\'s plan, but never ran' % (prefix, name))
        for r in index['reports']:
            problems.append('%s%s: %s' % (prefix, r['what'], r['line'][:160]))
        if not index['done']:
            problems.append('%sguest did not reach the end of its run (panic, '
                            'crash or timeout): %s' % (prefix, index['log']))

    npass, nfail, nskip, nxfail = totals['kernel']
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
              'task, stall or missed-invalidation reports)')

    if failed_names:
        print('failed:')
        for n in failed_names:
            print('  ' + n)
    if nxfail:
        print('known base failures, not counted (tests/known-failures): %d' % nxfail)
    hp, hf, hs, _ = totals['harness']
    harness = ''
    if any(label == 'harness' for label, _ in boots):
        harness = '; reporter self-test: %d passed, %d failed' % (hp, hf)
    print('%d passed, %d failed, %d skipped%s' % (npass, nfail, nskip, harness))
    for d in tmpdirs:
        for root, dirs, files in os.walk(d, topdown=False):
            for n in files:
                os.unlink(os.path.join(root, n))
            for n in dirs:
                os.rmdir(os.path.join(root, n))
        os.rmdir(d)
    return 0 if nfail == 0 and hf == 0 and npass > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
