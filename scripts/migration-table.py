#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The real-VMM migration run as a table.

Reads the host's (L1) console log: the "l1: result ROW forced=yes|no JSON"
lines carry QEMU's query-migrate reply for each row, and the destination
L2's "l2: PASS|FAIL: ..." line its page check.  Prints a Markdown table and
writes it as CSV next to the log when a directory is given.

    migration-table.py L1-LOG [OUTDIR]
"""
import json
import re
import sys

ROWS = {
    'type1-hw': 'type1, hardware dirty tracking (this series)',
    'type1-legacy': 'type1, every pinned page dirty (the base)',
    'iommufd': 'iommufd backend (IOMMU_HWPT_GET_DIRTY_BITMAP)',
}


def main():
    log = open(sys.argv[1], errors='replace').read().splitlines()
    rows, checks, current = [], {}, None
    for line in log:
        m = re.search(r'l1: row (\S+): ', line)
        if m:
            current = m.group(1)
        m = re.search(r'l1: result (\S+) forced=(\S+) (\{.*\})\s*$', line)
        if m:
            try:
                info = json.loads(m.group(3)).get('return', {})
            except ValueError:
                info = {}
            rows.append((m.group(1), m.group(2), info))
        m = re.search(r'\[dst\] l2: (PASS|FAIL): (.*)', line)
        if m and current:
            checks[current] = (m.group(1), m.group(2))
    if not rows:
        print('no migration results in', sys.argv[1])
        return 1

    head = ['row', 'page check', 'RAM sent (MiB)', 'dirty syncs',
            'total (ms)', 'downtime (ms)', 'converged']
    table = []
    for name, forced, info in rows:
        ram = info.get('ram', {})
        check = checks.get(name, ('-', ''))
        verdict = check[0]
        m = re.search(r'(\d+) pages checked, (\d+) written by DMA, (\d+) stamps, (\d+) stale', check[1])
        if m:
            verdict += ': %s pages checked, %s written by DMA, %s stale' % (
                m.group(1), m.group(2), m.group(4))
        table.append([
            name,
            verdict if info.get('status') == 'completed' else info.get('status', 'no reply'),
            '%.1f' % (ram.get('transferred', 0) / 2**20),
            str(ram.get('dirty-sync-count', '-')),
            str(info.get('total-time', '-')),
            str(info.get('downtime', '-')),
            'no, downtime limit raised' if forced == 'yes' else 'yes',
        ])
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in table:
        print('| ' + ' | '.join(r) + ' |')
    for name, _, _ in rows:
        print('  %-13s %s' % (name, ROWS.get(name, '')))
    if len(sys.argv) > 2:
        path = sys.argv[2] + '/migration.csv'
        with open(path, 'w') as f:
            f.write(','.join(head) + '\n')
            for r in table:
                f.write(','.join(c.replace(',', ';') for c in r) + '\n')
        print('csv:', path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
