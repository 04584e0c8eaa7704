#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# postings.sh: the mails of each mainline posting, as they would be sent,
# in out/postings/<posting>/ (one file per mail, and <posting>.mbox).
#
# The exported patches (patches/linux/<posting>/) have a placeholder author
# and no Signed-off-by: only the person who sends them can certify the
# Developer's Certificate of Origin (Documentation/process/
# submitting-patches.rst, coding-assistants.rst).  SENDER="Full Name
# <address>" makes them that person's: their From, and their
# Signed-off-by after the other trailers.  Without SENDER it refuses,
# unless DRY_RUN=1, which writes the mails with the placeholder and no
# Signed-off-by, to look at.
#
# Each mail's To and Cc are what scripts/get_maintainer.pl gave at export.
# Send a posting with: git send-email out/postings/<posting>/*.patch
. "$(dirname "$0")/lib.sh"

PATCHES=$TOP/patches/linux
OUT=$TOP/out/postings
PLACEHOLDER="SMMU HTTU developers <smmu-httu@localhost>"

if [ -z "${SENDER:-}" ] && [ "${DRY_RUN:-0}" != 1 ]; then
	die "SENDER=\"Full Name <address>\" is who signs the patches off (or DRY_RUN=1 to look)"
fi
if [ -n "${SENDER:-}" ]; then
	[[ $SENDER =~ ^[^\<\>@]+\ \<[^\<\>\ ]+@[^\<\>\ ]+\>$ ]] ||
		die "SENDER=\"$SENDER\": give \"Full Name <address>\""
	case $SENDER in *localhost* | *example.* | "$PLACEHOLDER") die "SENDER=\"$SENDER\" is not a real identity" ;; esac
fi

rm -rf "$OUT"
mkdir -p "$OUT"
bad=0
while read -r posting count prefix after; do
	[ "$prefix" != - ] || continue
	mkdir -p "$OUT/$posting"
	cp "$PATCHES/$posting"/[0-9]*.patch "$OUT/$posting/"
	python3 - "$PLACEHOLDER" "${SENDER:-}" "$OUT/$posting"/*.patch <<-'PY'
		import re, sys
		placeholder, sender, files = sys.argv[1], sys.argv[2], sys.argv[3:]
		pname = placeholder.split(' <')[0]
		for path in files:
		    s = open(path).read()
		    head, sep, rest = s.partition('\n\n')
		    if sender:
		        head = head.replace('From: ' + placeholder, 'From: ' + sender)
		        rest = rest.replace(pname + ' (', sender.split(' <')[0] + ' (', 1)
		        if not path.endswith('/0000-cover-letter.patch'):
		            msg, sep2, diff = rest.partition('\n---\n')
		            msg = msg.rstrip('\n') + '\nSigned-off-by: ' + sender + '\n'
		            rest = msg + sep2 + diff
		    open(path, 'w').write(head + sep + rest)
		PY
	# Nothing a mail says may name the project's harness: its messages
	# and cover letter, not the code (kselftest's harness is upstream's).
	if python3 - "$PLACEHOLDER" "$OUT/$posting"/*.patch >"$OUT/$posting.names" <<-'PY'; then
		import re, sys
		placeholder, files = sys.argv[1], sys.argv[2:]
		names = re.compile(r'smmu-httu|make (test|bench|demo|stress|oracle)|'
		                   r'tests/plans|out/[a-z0-9-]+/|\bnobbml\b|the project|'
		                   r'(?<!kselftest )(?<!kselftest_)harness', re.I)
		found = False
		for path in files:
		    s = open(path).read().replace(placeholder, '')
		    if not path.endswith('/0000-cover-letter.patch'):
		        s = s.split('\n---\n', 1)[0]
		    for n, line in enumerate(s.split('\n'), 1):
		        if names.search(line):
		            print('%s:%d: %s' % (path.rsplit('/', 1)[1], n, line))
		            found = True
		sys.exit(0 if found else 1)
		PY
		echo "FAIL $posting names the project's harness:"
		sed 's/^/     /' "$OUT/$posting.names"
		bad=1
	fi
	rm -f "$OUT/$posting.names"
	cat "$OUT/$posting"/*.patch >"$OUT/$posting.mbox"
	echo "$posting: $(($(ls "$OUT/$posting" | wc -l) - 1)) patches and a cover letter -> ${OUT#"$TOP"/}/$posting.mbox"
done < <(sed -e 's/#.*//' "$PATCHES/INDEX" | awk 'NF { print $1, $2, $3, $4 }')
[ $bad -eq 0 ] || die "a posting names the harness (above)"
if [ -n "${SENDER:-}" ]; then
	stage "send each posting, in order, with: git send-email ${OUT#"$TOP"/}/<posting>/*.patch"
else
	stage "dry run: the mails keep the placeholder author and have no Signed-off-by; not for sending"
fi
