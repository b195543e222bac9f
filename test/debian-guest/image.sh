# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# image.sh - a Debian 12 (bookworm) machine as a disk image, made from
# Debian's archive with mmdebstrap: dpkg, apt, systemd, kmod, and the
# kernel image packages given (installed as on a real machine: modules in
# /lib/modules/KVER, the initramfs made by the image's own initramfs-tools),
# converted to an ext4 image with `mkfs.ext4 -d` (no mount, no loop device).
# test/qemu/run-guest.sh --disk boots it: its guest-run.service runs the
# payload disk's init at every boot.
#
# Cached in CACHE/KEY/ (root.ext4, vmlinuz-KVER, initrd.img-KVER), KEY a
# hash of every input: the suite, the mirrors, the package list, the local
# .debs (name and sha256), mmdebstrap's version and GUEST_IMAGE_RECIPE (bump
# it when what guest_image_customize writes changes). Made again only when
# one of them changes; other keys are removed then.
#
# Functions (inputs as arguments, answers on stdout, errors on stderr):
#   guest_image_key SUITE PKGS DEB...      the cache key (a hash)
#   guest_image CACHE SUITE PKGS DEB...    the image's directory (made once)
#   guest_image_customize ROOTDIR          what makes the root a test guest

GUEST_IMAGE_RECIPE=1
# Debian's archive, as on the host (KPATCH_DEBIAN_MIRROR for another mirror).
GUEST_IMAGE_MIRROR="${KPATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
GUEST_IMAGE_SECURITY="${KPATCH_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

# guest_image_sources SUITE: mmdebstrap's source lines (main, updates, security).
guest_image_sources() {
	local suite="$1"
	echo "deb $GUEST_IMAGE_MIRROR $suite main"
	echo "deb $GUEST_IMAGE_MIRROR $suite-updates main"
	echo "deb $GUEST_IMAGE_SECURITY $suite-security main"
}

# guest_image_key SUITE PKGS DEB...: PKGS a comma-separated package list.
guest_image_key() {
	local suite="$1" pkgs="$2" d
	shift 2
	{
		echo "recipe $GUEST_IMAGE_RECIPE"
		echo "suite $suite"
		guest_image_sources "$suite"
		echo "packages $pkgs"
		for d in "$@"; do echo "deb $(basename "$d") $(sha256sum <"$d" | cut -d' ' -f1)"; done
		echo "mmdebstrap $(mmdebstrap --version 2>/dev/null)"
	} | sha256sum | cut -c1-16
}

# guest_image_customize ROOT: a machine with no network, booted by qemu
# from /dev/nvme0n1, that runs the payload disk's init at every boot.
guest_image_customize() {
	local root="$1" u
	echo debian-guest >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian-guest\n' >"$root/etc/hosts"
	echo '/dev/nvme0n1 / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
	# No network: no archive source (the tests add their own file: source).
	rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
	# Nothing that runs by itself and takes dpkg's lock or the console.
	for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
		 serial-getty@ttyS0.service getty@tty1.service systemd-timesyncd.service \
		 systemd-firstboot.service; do
		ln -sfn /dev/null "$root/etc/systemd/system/$u"
	done
	mkdir -p "$root/usr/local/sbin"
	cat >"$root/usr/local/sbin/guest-run" <<'EOF'
#!/bin/sh
# guest-run.service: mount the payload disk (label guestpay, made by
# test/qemu/run-guest.sh --disk) and run its init.
i=0
while ! [ -e /dev/disk/by-label/guestpay ] && [ $i -lt 60 ]; do
	sleep 0.5
	i=$((i + 1))
done
mkdir -p /mnt/payload
mountpoint -q /mnt/payload || mount -o ro /dev/disk/by-label/guestpay /mnt/payload ||
	mount -o ro /dev/nvme1n1 /mnt/payload || { echo "guest-run: no payload disk" >/dev/ttyS0; exit 1; }
exec /bin/sh /mnt/payload/init
EOF
	chmod 755 "$root/usr/local/sbin/guest-run"
	cat >"$root/etc/systemd/system/guest-run.service" <<'EOF'
# The test payload (test/qemu/run-guest.sh --disk): the second disk's init,
# at every boot, once the machine is up.
[Unit]
Description=Run the test payload of run-guest.sh --disk
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/guest-run
StandardOutput=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sfn /etc/systemd/system/guest-run.service \
		"$root/etc/systemd/system/multi-user.target.wants/guest-run.service"
}

# guest_image_build OUT SUITE PKGS DEB...: make OUT/root.ext4 and copy out
# each kernel's vmlinuz and initrd.img; mmdebstrap's log in OUT/mmdebstrap.log.
guest_image_build() {
	local out="$1" suite="$2" pkgs="$3" rootdir size d
	shift 3
	rootdir="$out/rootfs"
	local include="$pkgs"
	for d in "$@"; do include+=",$d"; done
	local srcs=()
	mapfile -t srcs < <(guest_image_sources "$suite")
	# The initramfs holds what the root needs beyond the built-in drivers
	# (NVMe and ext4 are built into Debian's cloud kernel): the list of
	# /etc/initramfs-tools/modules, empty (MODULES=most finds nothing to
	# choose in a chroot and would take every driver).
	# shellcheck disable=SC2016 # $1 is mmdebstrap's, in the hook
	if ! mmdebstrap --variant=apt --mode=root --format=directory \
		--include="$include" \
		--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list >"$1/etc/initramfs-tools/conf.d/guest.conf"' \
		"$suite" "$rootdir" "${srcs[@]}" >"$out/mmdebstrap.log" 2>&1; then
		tail -n 15 "$out/mmdebstrap.log" >&2
		echo "guest-image: mmdebstrap failed (log: $out/mmdebstrap.log)" >&2
		return 1
	fi
	guest_image_customize "$rootdir"
	cp "$rootdir"/boot/vmlinuz-* "$rootdir"/boot/initrd.img-* "$out/" ||
		{ echo "guest-image: no /boot/vmlinuz-* and initrd.img-* in the root (kernel packages?)" >&2; return 1; }
	# Room for the tests' packages and logs.
	size=$(( $(du -sm "$rootdir" | cut -f1) + 512 ))
	if ! mkfs.ext4 -q -F -L guestroot -d "$rootdir" "$out/root.ext4" "${size}M" >>"$out/mmdebstrap.log" 2>&1; then
		tail -n 5 "$out/mmdebstrap.log" >&2
		echo "guest-image: mkfs.ext4 -d failed" >&2
		return 1
	fi
	rm -rf "$rootdir"
}

# guest_image CACHE SUITE PKGS DEB...: the directory of the image of these
# inputs, made when missing (under a lock; a half-made image is never used).
guest_image() {
	local cache="$1" suite="$2" pkgs="$3" key dir fd rc=0
	shift 3
	key="$(guest_image_key "$suite" "$pkgs" "$@")"
	dir="$cache/$key"
	mkdir -p "$cache" || return 1
	exec {fd}>>"$cache/.lock"
	flock "$fd"
	if [[ ! -f "$dir/.ready" ]]; then
		echo "guest-image: making the $suite image $key (mmdebstrap)" >&2
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		guest_image_build "$dir.tmp" "$suite" "$pkgs" "$@" || rc=$?
		if [[ $rc -eq 0 ]]; then
			local old
			for old in "$cache"/*; do
				[[ -d "$old" && "$old" != "$dir.tmp" ]] && rm -rf "$old"
			done
			echo "$key" >"$dir.tmp/.ready"
			mv "$dir.tmp" "$dir"
		else
			rm -rf "$dir.tmp"
		fi
	fi
	exec {fd}>&-
	[[ $rc -eq 0 ]] && echo "$dir"
	return "$rc"
}
