#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh - install the Debian packages the project and its tests need,
# only those that are missing. Usage: install-deps.sh [PACKAGE...]
set -o errexit -o nounset -o pipefail

PKGS=(build-essential libelf-dev linux-source-6.1 qemu-system-x86 busybox-static flex bison bc
      libssl-dev cpio kmod gawk xz-utils python3 rsync time valgrind man-db libcapstone-dev "$@")

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
