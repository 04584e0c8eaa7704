#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# postings.sh: the mails of each posting, as they would be sent, in
# out/postings/<series>/<posting>/ (one file per mail, and <posting>.mbox),
# for the mainline series (linux) and the QEMU series (qemu).  Postings
# that INDEX marks "-" (kept back) or HELD are not written.
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
# Send a posting with: git send-email out/postings/linux/<posting>/*.patch
#
# The QEMU series is written only with DRY_RUN=1: QEMU's policy
# (docs/devel/code-provenance.rst, "Use of AI-generated content", since
# QEMU 10.1) declines contributions that include AI-generated content
# unless the project grants an exception on qemu-devel, and these patches
# say Assisted-by: LLM.
. "$(dirname "$0")/lib.sh"

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
bad=0
for series in linux qemu; do
	patches=$TOP/patches/$series out=$OUT/$series
	if [ "$series" = qemu ] && [ "${DRY_RUN:-0}" != 1 ]; then
		echo "qemu: not written: QEMU declines AI-generated contributions without an exception (DRY_RUN=1 writes them to read)"
		continue
	fi
	mkdir -p "$out"
	while read -r posting count prefix after; do
		case $prefix in - | HELD) continue ;; esac
		mkdir -p "$out/$posting"
		cp "$patches/$posting"/[0-9]*.patch "$out/$posting/"
		python3 - "$PLACEHOLDER" "${SENDER:-}" "$out/$posting"/*.patch <<-'PY'
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
		if python3 - "$PLACEHOLDER" "$out/$posting"/*.patch >"$out/$posting.names" <<-'PY'; then
			import re, sys
			placeholder, files = sys.argv[1], sys.argv[2:]
			names = re.compile(r'smmu-httu|make (test|bench|demo|stress|oracle)|'
			                   r'tests/plans|out/[a-z0-9-]+/|\bnobbml\b|the project|'
			                   r'(?<!kselftest )(?<!kselftest_)(?<!test )harness', re.I)
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
			sed 's/^/     /' "$out/$posting.names"
			bad=1
		fi
		rm -f "$out/$posting.names"
		cat "$out/$posting"/*.patch >"$out/$posting.mbox"
		echo "$posting: $(($(ls "$out/$posting" | wc -l) - 1)) patches and a cover letter -> ${out#"$TOP"/}/$posting.mbox"
	done < <(index_lines "$patches")
done
[ $bad -eq 0 ] || die "a posting names the harness (above)"
if [ -n "${SENDER:-}" ]; then
	stage "send each posting, in the order of patches/linux/INDEX, with: git send-email ${OUT#"$TOP"/}/linux/<posting>/*.patch"
else
	stage "dry run: the mails keep the placeholder author and have no Signed-off-by; not for sending"
fi
