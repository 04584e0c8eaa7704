#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The real-VMM migration run as a table.

    migration-table.py BOOT-DIR [OUTDIR]

Reads data/migration.csv of the nested boot's split console (written by
guest/nested/l1-migrate.sh: per row QEMU's query-migrate figures and the
destination's page check), prints a Markdown table, and copies the CSV to
OUTDIR when given.

There is no type1-legacy row any more (Debian's QEMU with
vfio_iommu_type1.hw_dirty_tracking=N, every pinned page reported dirty):
the kernel has no such switch now, and a type1 container on the SMMU
with HTTU always tracks, so the nested boot cannot produce it.  Both
type1 rows are type1 at default settings; its all-dirty answer is that
of the unmodified base kernel (make nested-base).  A run from before
that change still shows its type1-legacy row, described as it was.
"""
import csv
import os
import shutil
import statistics
import sys

ROWS = {
    'type1-hw': 'type1 at default settings: hardware dirty tracking, '
                'which the project\'s QEMU (patches/qemu) reads from the '
                'kernel, default settings',
    'type1-stock': 'type1 at default settings: hardware dirty tracking, '
                   'which Debian\'s QEMU does not know of '
                   '(enable-migration=on)',
    'iommufd': 'iommufd backend (IOMMU_HWPT_GET_DIRTY_BITMAP), the project\'s '
               'QEMU, default settings',
    'compat': 'the legacy container on iommufd\'s type1 compatibility '
              '(/dev/vfio/vfio of a host without type1), the project\'s '
              'QEMU, default settings',
    'compat-stock': 'the same with Debian\'s QEMU (enable-migration=on)',
}
# Runs from before type1 tracked at default settings
OLD_ROWS = {
    'type1-legacy': 'type1, every pinned page dirty (the base), Debian\'s '
                    'QEMU with vfio_iommu_type1.hw_dirty_tracking=N (a row '
                    'of runs before that switch was removed)',
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
    seeds = len({r.get('seed') for r in rows})
    head = ['row', 'page check', 'RAM sent (MiB)', 'dirty syncs',
            'total (ms)', 'downtime (ms)', 'converged',
            'pages per bitmap, max / median']
    if seeds > 1:
        head = ['seed'] + head
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
        print('| ' + ' | '.join(([r['seed']] if seeds > 1 else []) + [
            r['row'], check, mib, r['dirty_syncs'] or '-', r['total_ms'] or '-',
            r['downtime_ms'] or '-',
            'no, downtime limit raised' if r['forced'] == 'yes' else 'yes',
            '%s / %s' % (r.get('bitmap_max') or '-',
                         r.get('bitmap_median') or '-')]) + ' |')
    for name in dict.fromkeys(r['row'] for r in rows):
        print('  %-13s %s' % (name, ROWS.get(name, OLD_ROWS.get(name, ''))))
    if seeds > 1:
        sent = {}
        for r in rows:
            try:
                sent.setdefault(r['row'], []).append(int(r['transferred']))
            except ValueError:
                pass
        med = {k: statistics.median(v) for k, v in sent.items()}
        for k in sorted(med):
            print('  median RAM sent, %s over %d seeds: %.1f MiB' %
                  (k, len(sent[k]), med[k] / 2**20))
        if 'compat' in med and med.get('iommufd'):
            print('  compat / iommufd, median RAM sent: %.2fx' %
                  (med['compat'] / med['iommufd']))
    # A host without type1 has no type1 rows at all (make nested-compat)
    if not any(r['row'] in ('type1-legacy', 'compat') for r in rows):
        print('  (no type1-legacy row: type1 on the SMMU with HTTU always '
              'tracks, so this boot cannot give the all-dirty answer; '
              'make nested-base shows it)')
    if len(sys.argv) > 2:
        shutil.copy(path, os.path.join(sys.argv[2], 'migration.csv'))
        print('csv:', os.path.join(sys.argv[2], 'migration.csv'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
