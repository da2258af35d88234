#!/bin/bash
# fresh-root-check.sh - prove the README's set-up on a fresh Debian 12 machine.
#
# Builds a minimal Debian 12 (bookworm) root with mmdebstrap (--variant=minbase)
# from the apt sources this machine is configured with, copies this clone (and
# ../shared, when it is there, as CI lays it out) into it, and runs inside it,
# through chroot, the commands of README.md's first two ```sh blocks, exactly as
# written, one after the other in the same clone, as a new user would. Each
# command is one result; the last line is "fresh-root: N passed, N failed".
# Exit status: 0 both passed, 1 a command failed, 2 the root could not be made.
#
# Needs root (it mounts /proc, /dev and /sys in the root and unmounts them on
# every exit path). A fresh root every run: nothing is cached. Environment:
#   CANDOR_FRESH_ROOT_PARENT  folder for the root (default /var/tmp)
#   CANDOR_FRESH_ROOT_KEEP=1  keep the root afterwards (mounts are still undone)
set -u
cd "$(dirname "$0")/.."
src=$PWD
say() { echo "fresh-root: $*"; }
t0=$SECONDS

if [ "$(id -u)" != 0 ]; then
	say "must run as root (it builds a root with mmdebstrap and chroots into it)"
	say "0 passed, 1 failed"
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap"
	{ apt-get update -q && apt-get install -y -q --no-install-recommends mmdebstrap; } >/dev/null ||
		{ say "cannot install mmdebstrap"; say "0 passed, 1 failed"; exit 2; }
fi

# The README's commands: the bodies of its first two ```sh blocks.
mapfile -t cmds < <(awk '/^```sh[[:space:]]*$/ { n++; on = 1; body = ""; next }
	on && /^```/ { on = 0; print body; if (n == 2) exit; next }
	on { body = body (body == "" ? "" : "\n") $0 }' README.md)
if [ "${#cmds[@]}" != 2 ] || [ -z "${cmds[0]}" ] || [ -z "${cmds[1]}" ]; then
	say "README.md has fewer than two \`\`\`sh blocks"
	say "0 passed, 1 failed"
	exit 2
fi

parent=${CANDOR_FRESH_ROOT_PARENT:-/var/tmp}
work=$(mktemp -d "$parent/candor-fresh-root.XXXXXX") || exit 2
root=$work/root
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null ||
			say "could not unmount ${mounted[i]}"
	done
	mounted=()
	# never delete through a mount that is still there
	if findmnt -rn -o TARGET | grep -q "^$root/"; then
		say "mounts remain under $root: left in place"
	elif [ "${CANDOR_FRESH_ROOT_KEEP:-0}" = 1 ]; then
		say "root kept in $root"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 2' INT TERM HUP

# apt sources: the machine's own (deb822 or one-line), else Debian's default
# mirror; and the machine's apt options that decide whether its archive is
# usable (a snapshot's expired Release file, a proxy).
sources=()
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
	[ -s "$f" ] && sources+=("$f")
done
aptopts=()
while IFS= read -r line; do
	aptopts+=("--aptopt=$line")
done < <(apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ')

say "building a minimal Debian 12 root in $root (sources: ${sources[*]:-the default Debian mirror})"
t=$SECONDS
if ! mmdebstrap --mode=root --variant=minbase --quiet "${aptopts[@]}" \
	bookworm "$root" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1; then
	tail -40 "$work/mmdebstrap.log"
	say "mmdebstrap failed"
	say "0 passed, 1 failed"
	exit 2
fi
say "root built in $((SECONDS - t)) s ($(du -sh --one-file-system "$root" | cut -f1))"

# a chroot with working name resolution and no services started by packages
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# the clone: its files as git sees them (tracked and untracked, not ignored,
# so no build outputs), or everything but build folders when it is no git clone
mkdir -p "$root/root/candor"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$root/root/candor"
else
	tar --exclude='./build*' --exclude=./out -cf - . | tar -xf - -C "$root/root/candor"
fi
if [ -d "$src/../shared" ]; then
	cp -a "$src/../shared" "$root/root/shared"
	say "copied the clone to /root/candor and ../shared to /root/shared"
else
	say "copied the clone to /root/candor (no ../shared: tests that need it skip)"
fi

for m in proc sys dev; do
	mkdir -p "$root/$m"
done
mount -t proc proc "$root/proc" && mounted+=("$root/proc") &&
	mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys") &&
	mount --rbind /dev "$root/dev" && mounted+=("$root/dev") &&
	mount --make-rslave "$root/dev" || { say "cannot mount /proc, /sys, /dev"; say "0 passed, 1 failed"; exit 2; }

passed=0 failed=0
for i in 0 1; do
	n=$((i + 1))
	say "command $n of 2, from README.md: ${cmds[i]}"
	t=$SECONDS
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "cd /root/candor && ${cmds[i]}" </dev/null >"$work/command$n.log" 2>&1
	rc=$?
	# the lines worth quoting: meson test's summary, and the demo's outputs
	grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$work/command$n.log" |
		sed 's/^/fresh-root:   /'
	if [ "$i" = 0 ]; then
		echo "fresh-root:   out/demo holds: $(ls "$root/root/candor/out/demo" 2>/dev/null | tr '\n' ' ')"
	fi
	if [ "$rc" = 0 ]; then
		say "command $n of 2 PASSED in $((SECONDS - t)) s"
		passed=$((passed + 1))
	else
		tail -60 "$work/command$n.log"
		log=$root/root/candor/build/meson-logs/testlog.txt
		[ "$i" = 1 ] && [ -f "$log" ] && grep -B2 -A30 -E '^(stderr|stdout):' "$log" | tail -150
		say "command $n of 2 FAILED (exit $rc) in $((SECONDS - t)) s"
		failed=$((failed + 1))
	fi
done
say "total time $((SECONDS - t0)) s"
say "$passed passed, $failed failed"
[ "$failed" = 0 ]
