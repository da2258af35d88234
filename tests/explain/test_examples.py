#!/usr/bin/python3
"""test_examples.py - the example predictors of examples/ driven through
`candor explain --model-cmd`. Oracle: the same example module imported here,
trained the same way, predicting the same rows in-process; candor's
`prediction` column must equal it (numbers cross the protocol with 17
significant digits, so they read back exactly), and the SHAP values must
sum to prediction - base_value. python3-torch is needed for the PyTorch
half (Debian package python3-torch).
"""
import csv
import math
import os
import subprocess
import sys
import tempfile

CANDOR = os.environ["CANDOR_BIN"]
SRC = os.environ["CANDOR_SOURCE_ROOT"]
PY = os.environ.get("PYTHON", "/usr/bin/python3")
sys.path.insert(0, os.path.join(SRC, "examples"))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        return next(r), [row for row in r]


def explain(tmp, script, data, feats, method, link, out):
    cmd = "%s %s --train %s --label label" % (PY, os.path.join(SRC, "examples", script), data)
    p = subprocess.run([CANDOR, "explain", "--model-cmd", cmd, "--data", data,
                        "--features", ",".join(feats), "--method", method, "--link", link,
                        "--rows", "0:6", "--nsamples", "200", "--background-size", "20",
                        "--out", out], capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "%s: exit %d: %s" % (script, p.returncode, p.stderr))
    return read(out) if p.returncode == 0 else (None, [])


def main():
    tmp = tempfile.mkdtemp(prefix="candor-examples-")
    data = os.path.join(tmp, "credit.csv")
    subprocess.run([CANDOR, "datasets", "synth", "--kind", "credit", "--rows", "400",
                    "--seed", "11", "--out", data], check=True)
    dh, drows = read(data)

    # scikit-learn pipeline with text columns (sex, purpose) sent as strings
    import sklearn_predictor as skp
    feats = ["age", "income_k", "credit_score", "sex", "purpose"]
    h, r = explain(tmp, "sklearn_predictor.py", data, feats, "kernel", "logit",
                   os.path.join(tmp, "sk.csv"))
    pipe, numeric = skp.train(data, "label", feats)
    rows = [[row[dh.index(f)] for f in feats] for row in drows[:6]]
    want = pipe.predict_proba(skp.to_matrix(rows, numeric))[:, 1]
    for x, p in zip(r, want):
        v = [float(s) for s in x[1:]]
        check(abs(sum(v[:-1]) - v[-1]) < 1e-9, "sklearn efficiency row %s" % x[0])
        check(abs(v[-1] - math.log(p / (1 - p))) < 1e-9, "sklearn prediction row %s" % x[0])
    check(len(r) == 6, "sklearn: 6 rows")

    # PyTorch network
    try:
        import torch  # noqa: F401
    except ImportError:
        print("SKIP torch half: python3-torch is not installed")
        sys.exit(1 if failures else 77)
    import torch_predictor as tp
    feats = ["age", "income_k", "credit_score", "debt_ratio", "sex"]
    h, r = explain(tmp, "torch_predictor.py", data, feats, "permutation", "identity",
                   os.path.join(tmp, "torch.csv"))
    enc, net = tp.train(data, "label", feats)
    rows = [[row[dh.index(f)] for f in feats] for row in drows[:6]]
    want = tp.predict_rows(enc, net, rows)
    for x, p in zip(r, want):
        v = [float(s) for s in x[1:]]
        check(abs(sum(v[:-1]) - v[-1]) < 1e-9, "torch efficiency row %s" % x[0])
        check(abs(v[-1] - p) < 1e-7, "torch prediction row %s: %r vs %r" % (x[0], v[-1], p))
    check(len(r) == 6, "torch: 6 rows")

    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
