#!/bin/sh
# install-deps.sh - install everything candor needs to build, test and
# benchmark on Debian 12 (bookworm), from Debian's archive only.
# Runs apt-get as root, or through sudo when run by another user.
#
# --no-install-recommends: what a test needs is listed here by name, never
# left to a recommendation (python3-pil is only recommended by
# python3-openpyxl, yet openpyxl reads a workbook's images only with it).
# tools/fresh-root-check.sh proves the list on a fresh minimal root.
# One package per line, grouped by who needs it.
set -eu
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# The packages, one a line ('#' starts a comment).
packages=$(sed 's/#.*//' <<'EOF'
# build
build-essential
meson
ninja-build
pkg-config
# libraries libcandor links
libgsl-dev
libopenblas-dev
liblapacke-dev
libjson-c-dev
libcairo2-dev
libpango1.0-dev
libfontconfig-dev
fonts-dejavu-core
libxlsxwriter-dev
nettle-dev
# tests: unit tests, the fuzz build (clang + libFuzzer), bench/csv_ingest.sh
libcmocka-dev
libcsv-dev
clang
libclang-rt-14-dev
# test oracles (/usr/bin/python3) and examples/
python3
python3-numpy
python3-xgboost
python3-sklearn
python3-openpyxl
python3-pil
python3-torch
# tests and bench scripts: PDF checks, locales, timing
poppler-utils
locales
hyperfine
time
bc
file
# tests/cli/outputs.py: the private temporary folder check
strace
# tools/abi-check.sh and tests/abi: abidw and abidiff (libabigail)
abigail-tools
EOF
)
# shellcheck disable=SC2086 # one word per package
$SUDO apt-get install -y -q --no-install-recommends $packages
# a comma-decimal locale, so tests can show numbers read the same in any locale
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	$SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
