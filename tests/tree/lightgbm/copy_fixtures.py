#!/usr/bin/python3
"""Copy the LightGBM reference cases the tests need from ../shared into this folder.

Usage: copy_fixtures.py SHARED_LIGHTGBM_DIR [OUTDIR]

For each case in CASES it copies model.txt and README.txt unchanged and the
first ROWS lines (after the header) of data.csv, raw.csv and contrib.csv,
byte for byte: the committed files are an exact prefix of LightGBM's own
output, so the tests compare against LightGBM itself (see README.md).
"""
import os
import shutil
import sys

CASES = ["tiny", "binary_categorical", "binary_nan_v3", "binary_zero_as_missing",
         "multiclass_softmax", "regression_poisson", "linear_tree"]
ROWS = 150

src = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
for case in CASES:
    d = os.path.join(out, case)
    os.makedirs(d, exist_ok=True)
    for name in ("model.txt", "README.txt"):
        shutil.copyfile(os.path.join(src, case, name), os.path.join(d, name))
    for name in ("data.csv", "raw.csv", "contrib.csv"):
        p = os.path.join(src, case, name)
        if not os.path.exists(p):
            continue
        with open(p, "rb") as f:
            lines = f.readlines()
        with open(os.path.join(d, name), "wb") as f:
            f.writelines(lines[: ROWS + 1])
