#!/usr/bin/python3
"""golden.py [--record] - issue 10's "byte-identical before and after": the
outputs of `candor explain` (CSV, JSON, interaction CSV) for every method on
the committed models, and the explanation part of `candor audit`'s
audit.json, compared byte for byte with the files in golden/expected/.

The expected files were written by the binary of commit cfa71da (before the
explainer handle existed) with `CANDOR_BIN=build/cli/candor
EXPLAIN_PLUGIN=build/tests/explain/explain_plugin.so tests/explain/golden.py
--record`; the test fails on any byte that differs, so a change of numbers
or layout in either command shows here.

Inputs (committed in golden/): credit.csv (`candor datasets synth --kind
credit --rows 300 --seed 5`), xgb.json (tests/report/xgb_fixture.py trained
on it with XGBoost 1.7.4), the LightGBM model of tests/tree/lightgbm/tiny,
datasets/credit_model.json (logistic) and explain_plugin.so (non-linear,
built from tests/explain/explain_plugin.c) for the KernelSHAP branches.

The audit part: audit.json's "explanations" object, re-serialised by
Python's json (numbers as the shortest text that reads back to the same
double, as candor writes them), so that the manifest (time, versions, file
hashes) and the fairness part, which other changes may move, stay out of it.
The explain JSON's "candor_version" value is masked ("*") on both sides.

The interaction CSVs were byte-identical through the explainer change too;
the faster interaction kernel that came after it rounds differently, so
they are now compared number by number, each within 1e-12 of its row's
largest value (labels and layout still exactly).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
SRC = os.environ.get("CANDOR_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
PLUGIN = os.environ["EXPLAIN_PLUGIN"]
G = os.path.join(SRC, "tests", "explain", "golden")
EXPECTED = os.path.join(G, "expected")
CREDIT = os.path.join(G, "credit.csv")
XGB = os.path.join(G, "xgb.json")
LOGI = os.path.join(SRC, "datasets", "credit_model.json")
TINY = os.path.join(SRC, "tests", "tree", "lightgbm", "tiny")

# name: (arguments, outputs: csv always, "json", "inter")
EXPLAIN = {
    "logistic_linear": (["--model", LOGI, "--data", CREDIT], ("json",)),
    "logistic_kernel": (["--model", LOGI, "--data", CREDIT, "--method", "kernel", "--rows", "0:40",
                         "--nsamples", "200", "--background-size", "30", "--seed", "3"], ("json",)),
    "logistic_kernel_logit": (["--model", LOGI, "--data", CREDIT, "--method", "kernel",
                               "--link", "logit", "--rows", "10:30", "--target-stderr", "0.01",
                               "--background-size", "20", "--summarize", "kmeans"], ()),
    "logistic_exact": (["--model", LOGI, "--data", CREDIT, "--method", "exact", "--rows", "0:30",
                        "--background-size", "25"], ("json",)),
    "logistic_permutation": (["--model", LOGI, "--data", CREDIT, "--method", "permutation",
                              "--rows", "5:35", "--nsamples", "100", "--background-size", "25",
                              "--seed", "11"], ("json",)),
    "logistic_lime": (["--model", LOGI, "--data", CREDIT, "--method", "lime", "--rows", "0:20",
                       "--nsamples", "500", "--seed", "2"], ("json",)),
    "logistic_lime_continuous": (["--model", LOGI, "--data", CREDIT, "--method", "lime",
                                  "--rows", "0:15", "--nsamples", "400", "--lime-sampling",
                                  "continuous", "--lime-selection", "forward",
                                  "--lime-features", "3"], ()),
    "xgb_tree": (["--model", XGB, "--data", CREDIT], ("json",)),
    "xgb_tree_rows": (["--model", XGB, "--data", CREDIT, "--method", "tree", "--rows", "7:19"],
                      ("inter",)),
    "xgb_kernel": (["--model", XGB, "--data", CREDIT, "--method", "kernel", "--rows", "0:25",
                    "--nsamples", "150", "--background-size", "20"], ("json",)),
    "xgb_lime": (["--model", XGB, "--data", CREDIT, "--method", "lime", "--rows", "0:10",
                  "--nsamples", "300", "--lime-selection", "none"], ()),
    "lightgbm_tree": (["--model", os.path.join(TINY, "model.txt"), "--data",
                       os.path.join(TINY, "data.csv")], ("json",)),
    "lightgbm_tree_rows": (["--model", os.path.join(TINY, "model.txt"), "--data",
                            os.path.join(TINY, "data.csv"), "--rows", "3:13"], ("inter",)),
    "plugin_kernel": (["--model", PLUGIN, "--data", CREDIT, "--rows", "0:30", "--nsamples", "120",
                       "--background-size", "20", "--seed", "4"], ("json",)),
    "plugin_lime": (["--model", PLUGIN, "--data", CREDIT, "--method", "lime", "--rows", "0:10",
                     "--nsamples", "300", "--lime-selection", "highest", "--lime-features", "4"],
                    ()),
}

AUDIT = {
    "audit_demo": ["--demo", "--rows", "1500", "--explain-rows", "60", "--lime-rows", "2"],
    "audit_xgb": ["--data", CREDIT, "--model", XGB, "--label", "label", "--sensitive", "sex,race",
                  "--explain-rows", "50", "--lime-rows", "3", "--seed", "5"],
    "audit_plugin": ["--data", CREDIT, "--model", PLUGIN, "--label", "label", "--sensitive",
                     "sex", "--explain-rows", "20", "--lime-rows", "2"],
}


# The JSON names the library's version, which a release changes on its own.
VERSION = re.compile(rb'"candor_version":"[^"]*"')


def run(args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
    p = subprocess.run([BIN, *args], capture_output=True, env=env)
    return p


def outputs(tmp):
    """name -> bytes of every output of every case."""
    got = {}
    for name, (args, extra) in EXPLAIN.items():
        out = os.path.join(tmp, name + ".csv")
        cmd = ["explain", *args, "--threads", "2", "--out", out]
        files = {name + ".csv": out}
        if "json" in extra:
            files[name + ".json"] = os.path.join(tmp, name + ".json")
            cmd += ["--json", files[name + ".json"]]
        if "inter" in extra:
            files[name + ".inter.csv"] = os.path.join(tmp, name + ".inter.csv")
            cmd += ["--interactions", files[name + ".inter.csv"]]
        p = run(cmd)
        if p.returncode != 0:
            sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()))
        for k, path in files.items():
            with open(path, "rb") as f:
                got[k] = VERSION.sub(b'"candor_version":"*"', f.read())
    for name, args in AUDIT.items():
        out = os.path.join(tmp, name)
        cmd = ["audit", *args, "--threads", "2", "--out", out]
        p = run(cmd)
        if p.returncode not in (0, 1):
            sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()))
        with open(os.path.join(out, "audit.json")) as f:
            doc = json.load(f)
        part = doc["explanations"]
        got[name + ".explanations.json"] = (json.dumps(part, indent=1) + "\n").encode()
    return got


def inter_error(have, want):
    """Largest |a - b| / (the row's largest |b|, at least 1e-300) over two
    interaction CSVs of the same shape and labels; None when they differ in
    shape or in any text field."""
    a, b = have.decode().splitlines(), want.decode().splitlines()
    if len(a) != len(b) or a[:1] != b[:1]:
        return None
    worst = 0.0
    for la, lb in zip(a[1:], b[1:]):
        fa, fb = la.split(","), lb.split(",")
        if len(fa) != len(fb):
            return None
        labels = 3 if b[0].startswith("row,output,") else 2
        if fa[:labels] != fb[:labels]:
            return None
        na = [float(v) if v else float("nan") for v in fa[labels:]]
        nb = [float(v) if v else float("nan") for v in fb[labels:]]
        scale = max([abs(v) for v in nb if v == v] + [1e-300])
        for x, y in zip(na, nb):
            if (x != x) != (y != y):
                return None
            if x == x:
                worst = max(worst, abs(x - y) / scale)
    return worst


def main():
    record = "--record" in sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="candor-golden-")
    try:
        got = outputs(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if record:
        os.makedirs(EXPECTED, exist_ok=True)
        for k, v in got.items():
            with open(os.path.join(EXPECTED, k), "wb") as f:
                f.write(v)
        print("recorded %d files in %s" % (len(got), EXPECTED))
        return 0
    bad = 0
    names = sorted(os.listdir(EXPECTED))
    if sorted(got) != names:
        print("FAIL: outputs %s, expected files %s" % (sorted(got), names))
        bad += 1
    for k in names:
        with open(os.path.join(EXPECTED, k), "rb") as f:
            want = f.read()
        have = got.get(k)
        if have != want and k.endswith(".inter.csv") and have is not None:
            # the interaction kernel itself changed after the explainer handle
            # (per-leaf tables instead of conditioned passes): same layout,
            # every number within 1e-12 of the row's largest value
            err = inter_error(have, want)
            if err is not None and err <= 1e-12:
                print("ok: %s (numbers within %.1e of the reference)" % (k, err))
                continue
        if have != want:
            at = next((i for i, (a, b) in enumerate(zip(have or b"", want)) if a != b),
                      min(len(have or b""), len(want)))
            print("FAIL: %s differs from the reference at byte %d" % (k, at))
            bad += 1
        else:
            print("ok: %s (%d bytes)" % (k, len(want)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
