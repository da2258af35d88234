#!/usr/bin/python3
"""test_cli_explain.py - `candor explain` end to end (DESIGN.md contract):
the CSV header and row ids, efficiency of the written numbers, identical
output for 1 and 2 threads, the JSON, and every bad-input case of the
issue: a file that is not a model, data lacking a model feature, a model
command that crashes or stalls, a budget too small for the method. Each
bad case must exit 2 with a clear message and leave no output file.
The outputs of one run (--out, --json, --interactions) appear together or
not at all: an output that cannot be written (a missing folder) leaves none
of them, and files already at those paths untouched.
Oracle for linear SHAP: coef / scale * (x - mean of the background), from the
model JSON's own numbers and the data, computed here in plain Python.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

CANDOR = os.environ["CANDOR_BIN"]
SRC = os.environ["CANDOR_SOURCE_ROOT"]
PY = os.environ.get("PYTHON", "/usr/bin/python3")
MODEL = os.path.join(SRC, "datasets", "credit_model.json")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, timeout=120):
    t0 = time.time()
    p = subprocess.run([CANDOR, "explain"] + args, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stderr, time.time() - t0


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        return next(r), [row for row in r]


def main():
    tmp = tempfile.mkdtemp(prefix="candor-explain-")
    data = os.path.join(tmp, "credit.csv")
    subprocess.run([CANDOR, "datasets", "synth", "--kind", "credit", "--rows", "300",
                    "--seed", "7", "--out", data], check=True)
    model = json.load(open(MODEL))
    feats = model["features"]
    hdr, rows = read(data)

    # --- linear SHAP: the contract and the closed form -----------------------
    out = os.path.join(tmp, "lin.csv")
    rc, err, _ = run(["--model", MODEL, "--data", data, "--method", "linear", "--rows", "10:20",
                      "--background-size", "1000", "--out", out, "--json", out + ".json"])
    check(rc == 0, "linear run exits 0 (%d: %s)" % (rc, err))
    h, r = read(out)
    check(h == ["row"] + feats + ["base_value", "prediction"], "SHAP CSV header %s" % h)
    check([int(x[0]) for x in r] == list(range(10, 20)), "row ids follow --rows")
    cols = [hdr.index(f) for f in feats]
    mean = [sum(float(row[c]) for row in rows) / len(rows) for c in cols]
    for x in r:
        i = int(x[0])
        vals = [float(v) for v in x[1:-2]]
        check(abs(sum(vals) + float(x[-2]) - float(x[-1])) < 1e-9, "linear efficiency row %d" % i)
        for j, f in enumerate(feats):
            want = model["coef"][j] / model["scale"][j] * (float(rows[i][cols[j]]) - mean[j])
            check(abs(vals[j] - want) < 1e-9, "linear SHAP row %d %s: %r vs %r" % (i, f, vals[j], want))
    js = json.load(open(out + ".json"))
    check(js["method"] == "linear" and js["features"] == feats and len(js["rows"]) == 10,
          "JSON method/features/rows")

    # --- kernel on 1 and 2 threads: identical bytes --------------------------
    outs = []
    for t in ("1", "2"):
        o = os.path.join(tmp, "k%s.csv" % t)
        rc, err, _ = run(["--model", MODEL, "--data", data, "--method", "kernel", "--rows", "0:12",
                          "--nsamples", "40", "--link", "logit", "--seed", "3", "--threads", t,
                          "--background-size", "30", "--summarize", "kmeans", "--out", o])
        check(rc == 0, "kernel run exits 0 (%s)" % err)
        outs.append(open(o, "rb").read())
        h, r = read(o)
        for x in r:
            v = [float(s) for s in x[1:]]
            check(abs(sum(v[:-1]) - v[-1]) < 1e-9, "kernel efficiency row %s" % x[0])
    check(outs[0] == outs[1], "same numbers for --threads 1 and 2")

    # --- LIME columns ----------------------------------------------------------
    o = os.path.join(tmp, "lime.csv")
    rc, err, _ = run(["--model", MODEL, "--data", data, "--method", "lime", "--rows", "0:3",
                      "--nsamples", "500", "--out", o])
    check(rc == 0, "lime run exits 0 (%s)" % err)
    h, r = read(o)
    check(h == ["row"] + feats + ["intercept", "local_prediction", "prediction", "score"],
          "LIME CSV header %s" % h)

    # --- bad input: exit 2, a clear message, nothing written -------------------
    def bad(args, needle, what, max_seconds=60):
        o = os.path.join(tmp, "bad.csv")
        if os.path.exists(o):
            os.remove(o)
        rc, err, secs = run(args + ["--out", o])
        check(rc == 2, "%s: exit 2, got %d (%s)" % (what, rc, err.strip()))
        check(needle in err, "%s: message %r lacks %r" % (what, err.strip(), needle))
        check(not os.path.exists(o), "%s: no output file" % what)
        check(not [f for f in os.listdir(tmp) if ".tmp-" in f], "%s: no temporary left" % what)
        check(secs < max_seconds, "%s: took %.1f s" % (what, secs))

    bad(["--model", data, "--data", data], "not a model file", "a CSV as the model")
    nofeat = os.path.join(tmp, "nofeat.csv")
    with open(nofeat, "w", newline="") as f:
        w = csv.writer(f)
        drop = hdr.index("zip_score")
        for row in [hdr] + rows:
            w.writerow(row[:drop] + row[drop + 1:])
    bad(["--model", MODEL, "--data", nofeat, "--method", "kernel"], "no column 'zip_score'",
        "data lacking a model feature")
    bad(["--model-cmd", "%s -c 'import sys; sys.exit(3)'" % PY, "--data", data,
         "--features", "age,income_k"], "exited with status 3", "a model command that crashes")
    fake = os.path.join(SRC, "tests", "models", "fake_model.py")
    small = os.path.join(tmp, "small.csv")
    with open(small, "w") as f:
        f.write("num,cat\n1.5,x\n2.5,yy\n-1,x\n")
    bad(["--model-cmd", "%s %s stall" % (PY, fake), "--data", small, "--features", "num,cat",
         "--method", "kernel", "--model-timeout", "1"], "within 1 s",
        "a model command that stalls", max_seconds=20)
    bad(["--model-cmd", "%s %s crash" % (PY, fake), "--data", small, "--features", "num,cat",
         "--method", "exact"], "exited with status 3", "a model command that dies mid-run")
    bad(["--model", MODEL, "--data", data, "--method", "kernel", "--nsamples", "5"],
        "too small", "a kernel budget too small")
    bad(["--model", MODEL, "--data", data, "--method", "permutation", "--nsamples", "5"],
        "too small", "a permutation budget too small")

    # --- issue 9: model outputs that cannot be trusted, honest messages -------
    for mode, needle in (("prob15", "predicted 1.5 for row 2"), ("negprob", "predicted -0.2"),
                         ("nan", "predicted nan for row 2"), ("big", "predicted inf")):
        for method in ("kernel", "lime"):
            bad(["--model-cmd", "%s %s %s" % (PY, fake, mode), "--data", small, "--features",
                 "num,cat", "--method", method], needle, "a model answering %s (%s)" % (mode, method))
    o = os.path.join(tmp, "nan.csv")
    rc, err, _ = run(["--model-cmd", "%s %s nan" % (PY, fake), "--data", small, "--features",
                      "num,cat", "--method", "kernel", "--out", o])
    check("budget" not in err, "a NaN answer is not a budget matter: %r" % err.strip())
    for width in ("1e-300", "0.01"):
        bad(["--model", MODEL, "--data", data, "--method", "lime", "--rows", "0:2",
             "--nsamples", "300", "--kernel-width", width], "gives weight 0 to every sample",
            "a LIME kernel width of %s" % width)
    bad(["--model-cmd", "%s %s forkexit" % (PY, fake), "--data", small, "--features", "num,cat",
         "--method", "exact", "--model-timeout", "30"], "exited with status 4",
        "a model command that exits while its child holds the pipe", max_seconds=10)

    # --- issue 9, finding 9: an option that cannot take effect is an error ----
    idle = [
        (["--method", "exact", "--nsamples", "100"], "--nsamples", "exact"),
        (["--method", "linear", "--nsamples", "100"], "--nsamples", "linear"),
        (["--method", "exact", "--target-stderr", "0.01"], "--target-stderr", "exact"),
        (["--method", "permutation", "--target-stderr", "0.01"], "--target-stderr", "permutation"),
        (["--method", "lime", "--target-stderr", "0.01"], "--target-stderr", "lime"),
        (["--method", "kernel", "--kernel-width", "2"], "--kernel-width", "kernel"),
        (["--method", "kernel", "--lime-features", "2"], "--lime-features", "kernel"),
        (["--method", "permutation", "--lime-sampling", "continuous"], "--lime-sampling",
         "permutation"),
        (["--method", "exact", "--lime-selection", "lasso"], "--lime-selection", "exact"),
        (["--method", "exact", "--background", data, "--seed", "3"], "--seed", "exact"),
        (["--method", "linear", "--background", data, "--seed", "3"], "--seed", "linear"),
    ]
    for extra, flag, method in idle:
        bad(["--model", MODEL, "--data", data, "--rows", "0:2"] + extra,
            "%s cannot take effect with --method %s" % (flag, method),
            "%s with --method %s" % (flag, method))
    bad(["--model", MODEL, "--data", data, "--model-timeout", "5"], "--model-timeout is for "
        "--model-cmd", "--model-timeout with --model")
    bad(["--model", MODEL, "--data", data, "--model-batch", "5"], "--model-batch is for "
        "--model-cmd", "--model-batch with --model")
    bad(["--model", MODEL, "--data", data, "--background", data, "--summarize", "kmeans"],
        "--summarize", "--summarize with --background")
    for flag in ("--nsamples", "--lime-features", "--kernel-width"):
        bad(["--model", MODEL, "--data", data, "--method", "lime", flag, "0"],
            flag, "%s 0 (the default in disguise)" % flag)
    # what does take effect is still accepted
    for extra in (["--method", "exact", "--seed", "3"], ["--method", "kernel", "--nsamples", "40",
                  "--target-stderr", "0.5"], ["--method", "lime", "--nsamples", "300",
                  "--kernel-width", "2", "--lime-features", "3", "--seed", "2"]):
        o = os.path.join(tmp, "ok.csv")
        rc, err, _ = run(["--model", MODEL, "--data", data, "--rows", "0:2",
                          "--background-size", "20"] + extra + ["--out", o])
        check(rc == 0, "%s is accepted (%d: %s)" % (" ".join(extra), rc, err.strip()))

    # --- all outputs or none -----------------------------------------------
    def none_written(args, paths, what):
        sentinel = b"earlier run\n"
        for p in paths:
            if os.path.isdir(os.path.dirname(p)):
                with open(p, "wb") as f:
                    f.write(sentinel)
        rc, err, _ = run(args)
        check(rc == 2, "%s: exit 2, got %d (%s)" % (what, rc, err.strip()))
        for p in paths:
            if os.path.isdir(os.path.dirname(p)):
                check(open(p, "rb").read() == sentinel, "%s: %s was replaced" % (what, p))
        check(not [f for f in os.listdir(tmp) if ".tmp-" in f], "%s: temporary left" % what)

    o, j = os.path.join(tmp, "all.csv"), os.path.join(tmp, "all.json")
    missing = os.path.join(tmp, "no-such-folder", "x")
    none_written(["--model", MODEL, "--data", data, "--method", "kernel", "--rows", "0:2",
                  "--nsamples", "40", "--background-size", "10", "--out", o,
                  "--json", missing + ".json"], [o, missing + ".json"],
                 "--json in a missing folder")
    try:
        import numpy as np
        import xgboost as xgb
    except ImportError:
        print("SKIP: --interactions checks need python3-xgboost")
        np = None
    if np is not None:
        # a small XGBoost model on numeric columns (TreeSHAP needs one)
        rng = np.random.default_rng(5)
        X = rng.normal(size=(200, 3))
        y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(float)
        xdata = os.path.join(tmp, "xgb.csv")
        with open(xdata, "w") as f:
            f.write("u,v,w\n")
            for r in X:
                f.write("%.17g,%.17g,%.17g\n" % tuple(r))
        xmodel = os.path.join(tmp, "xgb.json")
        bst = xgb.train({"objective": "binary:logistic", "max_depth": 2, "nthread": 1},
                        xgb.DMatrix(X, label=y, feature_names=["u", "v", "w"]), 4)
        bst.save_model(xmodel)
        xi = os.path.join(tmp, "all.inter.csv")
        base = ["--model", xmodel, "--data", xdata, "--rows", "0:5", "--out", o, "--json", j]
        # finding 9: the tree method draws nothing (its background is a file)
        for extra, flag in ((["--background-size", "10"], "--background-size"),
                            (["--summarize", "kmeans"], "--summarize"),
                            (["--nsamples", "100"], "--nsamples"),
                            (["--seed", "4"], "--seed"),
                            (["--kernel-width", "2"], "--kernel-width")):
            bad(["--model", xmodel, "--data", xdata, "--rows", "0:5", "--method", "tree"] + extra,
                "%s cannot take effect with --method tree" % flag, "%s with --method tree" % flag)
        # issue 10: --background (or --tree-mode interventional) runs
        # interventional TreeSHAP. Oracle: the exact Shapley values of
        # v(S) = mean_b margin(x_S, b_~S), every coalition of the 3 features
        # evaluated by XGBoost itself (predict, output_margin) on hybrid rows.
        bgfile = os.path.join(tmp, "xgb_bg.csv")
        B = X[100:130]
        with open(bgfile, "w") as f:
            f.write("u,v,w\n")
            for r in B:
                f.write("%.17g,%.17g,%.17g\n" % tuple(r))

        def interventional_oracle(rows):
            import itertools
            import math
            M = 3
            out = np.zeros((len(rows), M + 1))
            for i, xr in enumerate(rows):
                v = {}
                for S in itertools.product([0, 1], repeat=M):
                    H = np.where(np.array(S, bool), xr, B)
                    v[S] = float(np.mean(bst.predict(xgb.DMatrix(
                        H, feature_names=["u", "v", "w"]), output_margin=True)))
                for j in range(M):
                    tot = 0.0
                    for S in itertools.product([0, 1], repeat=M):
                        if S[j]:
                            continue
                        s = sum(S)
                        Sj = tuple(1 if q == j else S[q] for q in range(M))
                        tot += math.factorial(s) * math.factorial(M - s - 1) / \
                            math.factorial(M) * (v[Sj] - v[S])
                    out[i, j] = tot
                out[i, M] = v[(0, 0, 0)]
            return out

        want = interventional_oracle(X[0:5])
        for extra in (["--background", bgfile],
                      ["--method", "tree", "--tree-mode", "interventional", "--background", bgfile]):
            rc, err, _ = run(base + extra)
            check(rc == 0, "interventional %s exits 0 (%s)" % (extra, err.strip()))
            if rc == 0:
                hdr, rows = read(o)
                cols = [hdr.index(c) for c in ("u", "v", "w", "base_value")]
                got = np.array([[float(r[c]) for c in cols] for r in rows])
                # XGBoost splits on float(x): agreement to float rounding
                check(np.max(np.abs(got - want)) < 1e-5,
                      "interventional TreeSHAP %s vs the brute-force oracle: %g"
                      % (extra, np.max(np.abs(got - want))))
                doc = json.load(open(j))
                check(doc.get("tree_mode") == "interventional", "JSON names the tree mode")
                os.remove(o)
                os.remove(j)
        bad(base[:6] + ["--tree-mode", "interventional"],
            "--tree-mode interventional needs --background B.csv",
            "--tree-mode interventional without a background")
        bad(base[:6] + ["--tree-mode", "path-dependent", "--background", bgfile],
            "--background cannot take effect with --method tree and --tree-mode path-dependent",
            "--background with --tree-mode path-dependent")
        bad(base[:6] + ["--background", bgfile, "--interactions", xi],
            "--interactions are path-dependent TreeSHAP",
            "--interactions with interventional TreeSHAP")
        bad(["--model", MODEL, "--data", data, "--method", "kernel", "--tree-mode",
             "interventional"], "--tree-mode cannot take effect with --method kernel",
            "--tree-mode with kernel")
        bad(base[:6] + ["--tree-mode", "sideways"], "--tree-mode: unknown value 'sideways'",
            "an unknown tree mode")
        rc, err, _ = run(base + ["--interactions", xi])
        check(rc == 0, "tree run with --interactions exits 0 (%s)" % err.strip())
        for p in (o, j, xi):
            check(os.path.exists(p), "tree run wrote %s" % p)
        for p in (o, j, xi):
            os.remove(p)
        none_written(base + ["--interactions", missing + ".inter.csv"],
                     [o, j, missing + ".inter.csv"], "--interactions in a missing folder")
        for p in (o, j):
            os.remove(p)
        rc, err, _ = run(base + ["--interactions", missing + ".inter.csv"])
        check(rc == 2 and "no-such-folder" in err, "missing folder: exit 2 and a message naming "
              "the path (%d: %s)" % (rc, err.strip()))
        check(not os.path.exists(o) and not os.path.exists(j),
              "--interactions failed, yet --out/--json exist")

    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
