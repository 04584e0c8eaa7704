#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The real-VMM migration run as a table.

    migration-table.py BOOT-DIR [OUTDIR]

Reads data/migration.csv of the nested boot's split console (written by
guest/nested/l1-migrate.sh: per row QEMU's query-migrate figures and the
destination's page check), prints a Markdown table, and copies the CSV to
OUTDIR when given.
"""
import csv
import os
import shutil
import sys

ROWS = {
    'type1-hw': 'type1, hardware dirty tracking asked for by the project\'s '
                'QEMU (patches/qemu), default settings',
    'type1-stock': 'type1, hardware dirty tracking given to Debian\'s QEMU '
                   'by vfio_iommu_type1.hw_dirty_tracking=Y',
    'type1-legacy': 'type1, every pinned page dirty (the base), Debian\'s QEMU',
    'iommufd': 'iommufd backend (IOMMU_HWPT_GET_DIRTY_BITMAP), the project\'s '
               'QEMU, default settings',
}


def main():
    path = os.path.join(sys.argv[1], 'data', 'migration.csv')
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        rows = []
    if not rows:
        print('no migration results in', path)
        return 1
    head = ['row', 'page check', 'RAM sent (MiB)', 'dirty syncs',
            'total (ms)', 'downtime (ms)', 'converged',
            'pages per bitmap, max / median']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in rows:
        check = r['status']
        if r['status'] == 'completed':
            check = '%s: %s' % (r['verdict'], r['check'])
        try:
            mib = '%.1f' % (int(r['transferred']) / 2**20)
        except ValueError:
            mib = '-'
        print('| ' + ' | '.join([
            r['row'], check, mib, r['dirty_syncs'] or '-', r['total_ms'] or '-',
            r['downtime_ms'] or '-',
            'no, downtime limit raised' if r['forced'] == 'yes' else 'yes',
            '%s / %s' % (r.get('bitmap_max') or '-',
                         r.get('bitmap_median') or '-')]) + ' |')
    for r in rows:
        print('  %-13s %s' % (r['row'], ROWS.get(r['row'], '')))
    if len(sys.argv) > 2:
        shutil.copy(path, os.path.join(sys.argv[2], 'migration.csv'))
        print('csv:', os.path.join(sys.argv[2], 'migration.csv'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
