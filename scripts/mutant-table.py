#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of make oracle-mutants, and its verdict.

    mutant-table.py RUN-DIR NAME...

NAME is MUTANT-MODE (none-exact, no-inv-after-clear-plain, ...); each has
its console split into RUN-DIR/NAME/ (scripts/console.py).  Exit status 0
only when every mutant's boots have a non-zero count of oracle reports
and the unmutated kernel's (none-*) have a count of zero.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def main():
    run, names = sys.argv[1], sys.argv[2:]
    ok = True
    print('%-28s %-6s %8s  %s' % ('kernel', 'mode', 'reports', 'suites'))
    for name in names:
        d = os.path.join(run, name)
        mutant, mode = name.rsplit('-', 1)
        try:
            with open(os.path.join(d, 'index.json')) as f:
                index = json.load(f)
        except FileNotFoundError:
            index = {'suites': []}
        count = index.get('oracle')
        suites = []
        for s in index['suites']:
            line = report.report_suite([], '', s, d)[0]
            suites.append(line.split(' (')[0].replace('not ok ', 'FAIL ')
                          .replace('ok ', 'pass '))
        good = count is not None and ((count == 0) == (mutant == 'none'))
        ok = ok and good
        print('%-28s %-6s %8s  %s%s' % (
            mutant, mode, '-' if count is None else count, ', '.join(suites),
            '' if good else '   <- wrong'))
    print('%s: every mutant reported by the oracle in both modes, the '
          'unmutated kernel in neither' % ('ok' if ok else 'not ok'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
