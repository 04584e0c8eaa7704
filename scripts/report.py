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
result.  A suite or a test that outlives a time limit (the plan's, the
kselftest harness's own per test, the host's per boot) is reported as
timed out, apart from failures, and also turns the run red.  A test that
tests/known-failures lists with a reason starting "[timeout]" runs
against a limit compiled into upstream's test: whether it passes or
times out, it is counted apart as "limit-bound", so that the counts do
not depend on the host's speed; any other failure of it fails the run.
Every kernel report in a log fails the run.  Prints an ok/not ok
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
# The kselftest harness killed a test at its per-test limit.
KSFT_TIMEOUT = re.compile(r'^\s*#\s*(\S+): Test terminated by timeout')
LIMIT_BOUND = '[timeout]'



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
    killed = None
    for line in lines:
        line = line.rstrip('\r\n')
        m = KSFT_TIMEOUT.match(line)
        if m:
            killed = m.group(1)
            continue
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
        elif killed and (name == killed or name.endswith('.' + killed)):
            state = 'timeout'
        else:
            state = 'fail'
        killed = None
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


def report_suite(known, label, suite, boot_dir, host_timeout=None):
    """Counts and messages of one suite: (line, (passed, failed, skipped,
    known failures, timed out, limit-bound), failed, timed out)."""
    name = (label + ': ' if label else '') + suite['name']
    try:
        with open(os.path.join(boot_dir, suite['tap']), errors='replace') as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    leaves = parse_suite(lines)
    p = f = k = x = t = lb = 0
    failed = []
    timed_out = []
    for test, state, directive in leaves:
        # An entry names the suite alone, or BOOT/suite for one boot.
        reason = known_reason(known, suite['name'], test) or \
            known_reason(known, '%s/%s' % (label, suite['name']), test)
        bound = reason is not None and reason.startswith(LIMIT_BOUND)
        if bound and state in ('pass', 'timeout'):
            lb += 1
        elif state == 'timeout':
            t += 1
            timed_out.append('%s: %s: timed out (the kselftest harness\'s '
                             'own per-test limit)' % (name, test))
        elif state == 'fail' and reason and not bound:
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
    if end is None and host_timeout:
        t += 1
        timed_out.append('%s: did not finish: the guest %s' % (name, host_timeout))
    elif end is None:
        f += 1
        failed.append('%s: did not finish (guest died or timed out)' % name)
    elif end.startswith('timeout'):
        t += 1
        timed_out.append('%s: timed out%s' % (name, end[len('timeout'):]))
    elif not end.startswith('status='):
        f += 1
        failed.append('%s: %s' % (name, end))
    elif not end.startswith('status=0') and \
            not any(st in ('fail', 'timeout') for _, st, _ in leaves):
        # A known failure explains a non-zero exit; nothing else does.
        f += 1
        failed.append('%s: exited with %s but reported no failing result' %
                      (name, end.split()[0]))
    if not leaves and not t:
        f += 1
        failed.append('%s: no results' % name)
    if end is not None and not end.startswith('timeout'):
        for msg in check_plans(lines):
            f += 1
            failed.append('%s: TAP plan not kept: %s' % (name, msg))
    extra = ', %d known base failures' % x if x else ''
    if lb:
        extra += ', %d limit-bound' % lb
    if t:
        extra += ', %d timed out' % t
    line = '%s %s (%d passed, %d failed, %d skipped%s)' % (
        'ok' if f == 0 and t == 0 else 'not ok', name, p, f, k, extra)
    return line, (p, f, k, x, t, lb), failed, timed_out


def check_console(logs, prefix, directive):
    """A plan's "@console none|some REGEX": whether any line of the boot's
    console log or QEMU's log (with its -trace output) matches.  Returns
    the report line and whether it holds."""
    parts = directive.split(None, 2)
    if len(parts) < 3 or parts[1] not in ('none', 'some'):
        return ('not ok %sconsole: malformed plan line "%s"' %
                (prefix, directive), False)
    want, rx = parts[1], re.compile(parts[2])
    count, first, read = 0, None, 0
    for log in logs:
        try:
            with open(log, errors='replace') as f:
                for s in f:
                    if rx.search(s):
                        count += 1
                        first = first or s.strip()[:160]
            read += 1
        except (TypeError, FileNotFoundError):
            pass
    if not read:
        return ('not ok %sconsole: no log to check /%s/' %
                (prefix, parts[2]), False)
    ok = count == 0 if want == 'none' else count > 0
    what = ('%d line(s) match /%s/' % (count, parts[2])) + \
        (', the first: %s' % first if first and want == 'none' else '')
    return ('%s %sconsole: %s (expected %s)' %
            ('ok' if ok else 'not ok', prefix, what, want), ok)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    known = load_known(sys.argv[1])
    boots = [a.split('=', 1) if '=' in a else ('', a) for a in sys.argv[2:]]

    tmpdirs = []
    totals = {'kernel': [0] * 6, 'harness': [0] * 6}
    failed_names = []
    timed_out = []
    problems = []
    for label, path in boots:
        index = load_boot(label, path, tmpdirs)
        which = 'harness' if label == 'harness' else 'kernel'
        prefix = label + ': ' if label else ''
        host_timeout = index.get('host_timeout')
        for suite in index['suites']:
            line, counts, failed, late = report_suite(known, label, suite,
                                                      index['dir'], host_timeout)
            print(line)
            failed_names += failed
            timed_out += late
            for i in range(6):
                totals[which][i] += counts[i]
        # The boot's plan (tests/plans/<boot>): every suite in it ran.
        ran = set(x['name'] for x in index['suites'])
        try:
            with open(os.path.join(index['dir'], 'plan')) as f:
                plan_lines = [ln.rstrip('\n') for ln in f if ln.strip()]
        except FileNotFoundError:
            plan_lines = []
        planned = [ln.split()[0] for ln in plan_lines if not ln.startswith('@')]
        if '@qemulog on' in plan_lines and not index.get('qemu_log'):
            totals[which][1] += 1
            msg = '%sconsole: the plan sends QEMU\'s log apart (@qemulog), ' \
                'and there is none' % prefix
            print('not ok ' + msg)
            failed_names.append(msg)
        for ln in plan_lines:
            if ln.startswith('@console '):
                line, ok = check_console([index.get('log'),
                                          index.get('qemu_log')], prefix, ln)
                print(line)
                totals[which][0 if ok else 1] += 1
                if not ok:
                    failed_names.append(line[len('not ok '):])
        for name in planned:
            if name not in ran and host_timeout:
                totals[which][4] += 1
                print('not ok %s%s (planned, never ran: the guest timed out)' %
                      (prefix, name))
                timed_out.append('%s%s: never ran: the guest %s' %
                                 (prefix, name, host_timeout))
            elif name not in ran:
                totals[which][1] += 1
                print('not ok %s%s (planned, never ran)' % (prefix, name))
                failed_names.append('%s%s: in the boot\'s plan, but never ran' % (prefix, name))
        for r in index['reports']:
            during = ' (during %s)' % r['suite'] if r.get('suite') else ''
            problems.append('%s%s%s: %s' % (prefix, r['what'], during,
                                            r['line'][:1000]))
        # The oracle's count: every boot's SMMU has it (run-guest.sh), and
        # a QEMU that exits without saying it did not check.  A plan that
        # turns the oracle off (its test changes live descriptors on
        # purpose) must then not get one.
        oracle_off = any(ln.startswith('@qemu ') and
                         'x-stale-tlb-check=off' in ln for ln in plan_lines)
        if label != 'harness' and oracle_off:
            if index.get('oracle') is not None:
                problems.append('%sthe plan turns the oracle off, and the '
                                'emulated SMMU printed its count' % prefix)
        elif label != 'harness' and index.get('oracle') is None:
            problems.append('%sthe emulated SMMU did not print its count of '
                            'missed TLB invalidations at exit' % prefix)
        elif index.get('oracle'):
            problems.append('%smissed invalidation (emulated SMMU): %d '
                            'report(s) at exit' % (prefix, index['oracle']))
        if not index['done'] and host_timeout:
            timed_out.append('%sthe guest %s' % (prefix, host_timeout))
        elif not index['done']:
            problems.append('%sguest did not reach the end of its run (panic, '
                            'crash or timeout): %s' % (prefix, index['log']))

    npass, nfail, nskip, nxfail, ntime, nbound = totals['kernel']
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
    if timed_out:
        print('timed out:')
        for n in timed_out:
            print('  ' + n)
    if nxfail:
        print('known base failures, not counted (tests/known-failures): %d' % nxfail)
    if nbound:
        print('limit-bound tests, passed or timed out at a limit compiled '
              'into upstream\'s test, not counted (tests/known-failures): %d'
              % nbound)
    hp, hf, hs, _, ht, _ = totals['harness']
    harness = ''
    if any(label == 'harness' for label, _ in boots):
        harness = '; harness self-tests: %d passed, %d failed' % (hp, hf)
    late = ', %d timed out' % ntime if ntime else ''
    print('%d passed, %d failed, %d skipped%s%s' % (npass, nfail, nskip, late,
                                                   harness))
    for d in tmpdirs:
        for root, dirs, files in os.walk(d, topdown=False):
            for n in files:
                os.unlink(os.path.join(root, n))
            for n in dirs:
                os.rmdir(os.path.join(root, n))
        os.rmdir(d)
    ok = nfail == 0 and ntime == 0 and hf == 0 and ht == 0 and npass > 0
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
