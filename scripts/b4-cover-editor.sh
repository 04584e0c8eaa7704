#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# b4-cover-editor.sh FILE: the "editor" that 'make postings B4=1' gives
# 'b4 prep --edit-cover': FILE becomes the posting's cover letter, $COVER
# (its first line the subject), keeping b4's own comment lines.
exec python3 - "$1" "$COVER" <<'PY'
import sys
path, cover = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = cover.partition('\n')
comments = [l for l in open(path).read().split('\n') if l.startswith('#')]
with open(path, 'w') as f:
    f.write(subject.strip() + '\n\n' + body.strip('\n') + '\n\n')
    f.write('\n'.join(comments) + '\n')
PY
