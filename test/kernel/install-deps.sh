#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh - install the Debian packages the project and its tests need,
# only those that are missing. Usage: install-deps.sh [PACKAGE...]
set -o errexit -o nounset -o pipefail

# Everything a test uses (grep the suites for commands when adding one):
#   kernel build   build-essential flex bison bc libssl-dev openssl cpio kmod gawk xz-utils
#                  rsync zstd linux-source-6.1
#   tools          libelf-dev, libcapstone-dev (the instruction decoder)
#   qemu guests    qemu-system-x86 busybox-static (the guest's sh, and the
#                  host busybox sh the kpatch command is tested under)
#   kpatch-cmd     dash, shellcheck, man-db (man --warnings), util-linux
#                  (setpriv, flock), binutils (objcopy, nm, readelf)
#   cdo, fuzz      python3, valgrind, time
#   bench          hyperfine
#   packaging      lintian
#   Debian kernels dwarves (pahole: their modules carry BTF)
#   debian-guest   mmdebstrap (the guest's root), e2fsprogs (mkfs.ext4 -d),
#                  dpkg-dev (dpkg-scanpackages), apt-utils (apt-ftparchive)
PKGS=(build-essential libelf-dev libcapstone-dev linux-source-6.1 qemu-system-x86 busybox-static
      flex bison bc libssl-dev openssl cpio kmod gawk xz-utils zstd python3 rsync time valgrind man-db
      dash shellcheck util-linux binutils hyperfine lintian dwarves
      mmdebstrap e2fsprogs dpkg-dev apt-utils "$@")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
log="$(mktemp /tmp/install-deps.XXXXXX.log)"
if ! { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "install-deps: error: apt-get install ${missing[*]} failed (full log: $log)" >&2
	exit 1
fi
rm -f "$log"
