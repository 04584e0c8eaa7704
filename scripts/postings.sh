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
# B4=1 prepares the mainline postings with b4 instead, as kernel developers
# do: in the worktree build/b4, one b4-managed branch per posting
# (b4/<posting>, enrolled on the previous posting's last commit, its cover
# letter from cover-letter.txt, To and Cc by 'b4 prep --auto-to-cc'), the
# commits made the sender's (author and Signed-off-by), and 'b4 send -o'
# writing the mails into out/postings/linux/<posting>/.  Sending is then
# 'b4 send' on that branch.
#
# The QEMU series is written only with DRY_RUN=1: QEMU's policy
# (docs/devel/code-provenance.rst, "Use of AI-generated content", since
# QEMU 10.1) declines contributions that include AI-generated content
# unless the project grants an exception on qemu-devel, and these patches
# say Assisted-by: LLM.
. "$(dirname "$0")/lib.sh"

OUT=$TOP/out/postings
PLACEHOLDER="SMMU HTTU developers <smmu-httu@localhost>"

# names DIR POSTING: 0 when no mail in DIR says anything that names the
# project's harness: its messages and cover letters, not the code
# (kselftest's harness is upstream's); prints what it found otherwise.
names() {
	python3 - "$PLACEHOLDER" "$1"/* <<-'PY'
		import re, sys
		placeholder, files = sys.argv[1], sys.argv[2:]
		names = re.compile(r'smmu-httu|make (test|bench|demo|stress|oracle)|'
		                   r'tests/plans|out/[a-z0-9-]+/|\bnobbml\b|the project|'
		                   r'(?<!kselftest )(?<!kselftest_)(?<!test )harness', re.I)
		found = False
		for path in files:
		    s = open(path).read().replace(placeholder, '')
		    if not re.search(r'/0000-[^/]*$', path):
		        s = s.split('\n---\n', 1)[0]
		    for n, line in enumerate(s.split('\n'), 1):
		        if names.search(line):
		            print('%s:%d: %s' % (path.rsplit('/', 1)[1], n, line))
		            found = True
		sys.exit(1 if found else 0)
		PY
}

# b4_postings: the mainline postings as b4 branches and b4's mails.
b4_postings() {
	local wt=$BUILD/b4 src=$BUILD/linux patches=$TOP/patches/linux
	local commits posting count prefix after i=0 first last fork name email
	if ! command -v b4 >/dev/null; then
		[ "$(id -u)" -eq 0 ] || die "b4 is not installed (apt-get install b4)"
		stage "installing b4 (Debian's; only make postings B4=1 needs it)"
		logged "$CACHE/logs/apt.log" apt-get update -q
		DEBIAN_FRONTEND=noninteractive logged "$CACHE/logs/apt.log" \
			apt-get install -y -q --no-install-recommends b4
	fi
	[ -d "$src/.git" ] || die "no kernel tree: run 'make tree' first"
	name=${SENDER:-$PLACEHOLDER}
	email=${name##*<}
	email=${email%>}
	name=${name% <*}
	mapfile -t commits < <(git -C "$src" rev-list --reverse "$BASE_TAG..HEAD")
	if [ ! -d "$wt" ]; then
		stage "making the b4 worktree build/b4"
		git -C "$src" worktree prune
		git -C "$src" worktree add -q --detach "$wt" "$BASE_TAG"
	fi
	git -C "$wt" config user.name "$name"
	git -C "$wt" config user.email "$email"
	git -C "$wt" config b4.prep-cover-strategy branch-description
	# b4 0.12 sends through git's SMTP settings or its web endpoint; with
	# -o it sends nothing, but it wants one of them set.
	git -C "$wt" config sendemail.smtpserver /bin/false
	rm -rf "$OUT/linux"
	mkdir -p "$OUT/linux"
	while read -r posting count prefix after; do
		first=${commits[$i]} last=${commits[$((i + count - 1))]}
		fork=${first}~1
		i=$((i + count))
		case $prefix in - | HELD) continue ;; esac
		git -C "$wt" checkout -q --detach "$last"
		git -C "$wt" branch -f "b4-fork/$posting" "$fork"
		git -C "$wt" branch -D "b4/$posting" >/dev/null 2>&1 || true
		git -C "$wt" config --remove-section "branch.b4/$posting" 2>/dev/null || true
		git -C "$wt" checkout -q -b "b4/$posting"
		(cd "$wt" && b4 prep -e "b4-fork/$posting") >/dev/null 2>&1 ||
			die "$posting: b4 prep --enroll failed"
		if [ -n "${SENDER:-}" ]; then
			git -C "$wt" -c core.hooksPath=/dev/null rebase -q \
				--exec 'git commit -q --amend --no-edit --reset-author -s' "b4-fork/$posting"
		fi
		(cd "$wt" && COVER="$patches/$posting/cover-letter.txt" \
			EDITOR="$TOP/scripts/b4-cover-editor.sh" b4 prep --edit-cover &&
			b4 prep --auto-to-cc) >/dev/null 2>&1 || die "$posting: b4 prep failed"
		[ "$prefix" = RFC ] && (cd "$wt" && b4 prep --set-prefixes RFC) >/dev/null 2>&1
		(cd "$wt" && b4 send -o "$OUT/linux/$posting" --no-sign) >/dev/null 2>&1 ||
			die "$posting: b4 send -o failed"
		names "$OUT/linux/$posting" || die "$posting names the project's harness (above)"
		echo "$posting: $(ls "$OUT/linux/$posting" | wc -l) mails (b4) -> ${OUT#"$TOP"/}/linux/$posting/"
	done < <(index_lines "$patches")
	stage "b4 branches in build/b4: b4/<posting>; send one with 'b4 send' on its branch"
}

if [ -z "${SENDER:-}" ] && [ "${DRY_RUN:-0}" != 1 ]; then
	die "SENDER=\"Full Name <address>\" is who signs the patches off (or DRY_RUN=1 to look)"
fi
if [ -n "${SENDER:-}" ]; then
	[[ $SENDER =~ ^[^\<\>@]+\ \<[^\<\>\ ]+@[^\<\>\ ]+\>$ ]] ||
		die "SENDER=\"$SENDER\": give \"Full Name <address>\""
	case $SENDER in *localhost* | *example.* | "$PLACEHOLDER") die "SENDER=\"$SENDER\" is not a real identity" ;; esac
fi

if [ "${B4:-0}" = 1 ]; then
	b4_postings
	exit
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
		if ! names "$out/$posting" >"$out/$posting.names"; then
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
