#!/usr/bin/python3
"""Compare candor's CSV reader with Python's csv module (an independent
implementation of RFC 4180) on files that Python's own csv.writer produces
with random, awkward content, and on ../shared/datasets when present.

usage: csv_oracle.py CSV_DUMP [--shared]
  Without --shared: random files (exit 0/1). With --shared: the public
  datasets (exit 77 when CANDOR_SHARED_DATASETS is absent).

Type rule restated from the README: a column is numeric when every
non-empty value (spaces around it allowed) is a decimal number; an empty
field is missing.
"""
import csv
import io
import os
import random
import re
import subprocess
import sys
import tempfile

NUM = re.compile(r"^[ \t]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t]*$")


def expected(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f, delimiter=delimiter, strict=True)]
    header, body = rows[0], [r for r in rows[1:] if r != []]
    cols = list(zip(*body)) if body else [() for _ in header]
    types = ["N" if all(v == "" or NUM.match(v) for v in c) else "C" for c in cols]
    return header, types, body


def decode_cell(cell):
    if cell == "M":
        return None
    if cell[0] == "N":
        return float(cell[1:])
    h = cell[1:]
    return "" if h == "-" else bytes.fromhex(h).decode("utf-8")


def compare(dump, path, delimiter=","):
    header, types, body = expected(path, delimiter)
    out = subprocess.run([dump, path, delimiter], capture_output=True, check=False)
    if out.returncode != 0:
        print("%s: candor failed: %s" % (path, out.stderr.decode()))
        return False
    lines = out.stdout.decode().split("\n")
    names = ["" if h == "-" else bytes.fromhex(h).decode() for h in lines[0].split(" ")]
    if names != header:
        print("%s: header %r != %r" % (path, names, header))
        return False
    if lines[1] != "".join(types):
        print("%s: types %s != %s" % (path, lines[1], "".join(types)))
        return False
    got = [l for l in lines[2:] if l != ""]
    if len(got) != len(body):
        print("%s: %d rows, python has %d" % (path, len(got), len(body)))
        return False
    for i, (g, e) in enumerate(zip(got, body)):
        cells = [decode_cell(c) for c in g.split(" ")]
        for j, (c, v) in enumerate(zip(cells, e)):
            want = None if v == "" else (float(v) if types[j] == "N" else v)
            if c != want:
                print("%s: row %d col %d: candor %r, python %r" % (path, i + 1, j, c, want))
                return False
    print("%s: %d rows x %d columns agree" % (path, len(body), len(header)))
    return True


def random_file(rng, path, nrows, delimiter):
    atoms = ["a", "B", ",", ";", '"', "\n", "\r\n", " ", "é", "日本", "\t", "x y", "0", "-"]
    ncols = rng.randint(1, 7)
    kinds = [rng.choice(["num", "text", "mixed"]) for _ in range(ncols)]
    header = ["c%d%s" % (j, rng.choice(["", ",", '"q"', " sp", "\n"])) for j in range(ncols)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=rng.choice(["\n", "\r\n"]))
        w.writerow(header)
        for _ in range(nrows):
            row = []
            for k in kinds:
                r = rng.random()
                if r < 0.1:
                    row.append("")
                elif k == "num" or (k == "mixed" and r < 0.9):
                    row.append(rng.choice([repr(rng.uniform(-1e6, 1e6)), str(rng.randint(-99, 99)),
                                           "%.3e" % rng.gauss(0, 1e-5), repr(rng.random())]))
                else:
                    s = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 5)))
                    row.append(s if not NUM.match(s) and s.strip() != "" else s + "z")
            w.writerow(row)


def main():
    dump = sys.argv[1]
    ok = True
    if "--shared" in sys.argv:
        root = os.environ.get("CANDOR_SHARED_DATASETS", "")
        files = [os.path.join(root, f) for f in ("adult.csv", "german_credit.csv")]
        if not root or not all(os.path.exists(f) for f in files):
            print("shared datasets absent: skipped")
            return 77
        for f in files:
            ok &= compare(dump, f)
        return 0 if ok else 1
    rng = random.Random(20261127)
    with tempfile.TemporaryDirectory() as d:
        for k in range(60):
            delim = rng.choice([",", ",", ";", "\t", "|"])
            p = os.path.join(d, "r%d.csv" % k)
            random_file(rng, p, rng.choice([1, 5, 50, 500, 3000]), delim)
            ok &= compare(dump, p, delim)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
