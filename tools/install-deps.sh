#!/bin/sh
# install-deps.sh - install everything candor needs to build, test and
# benchmark on Debian 12 (bookworm), from Debian's archive only.
# Runs apt-get as root, or through sudo when run by another user.
set -eu
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
	build-essential meson ninja-build pkg-config \
	libgsl-dev libopenblas-dev liblapacke-dev libjson-c-dev \
	libcairo2-dev libpango1.0-dev fonts-dejavu-core libxlsxwriter-dev nettle-dev \
	libcmocka-dev libcsv-dev \
	clang libclang-rt-14-dev \
	python3 python3-numpy python3-xgboost python3-sklearn python3-openpyxl python3-torch \
	poppler-utils locales hyperfine time bc file strace
# a comma-decimal locale, so tests can show numbers read the same in any locale
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	$SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
