#!/usr/bin/python3
"""XGBoost side of bench/treeshap.sh.

  xgb_bench.py train DIR            train the bench model (100 trees, depth 6,
                                    12 features, binary:logistic) on 20,000
                                    rows; write DIR/model.json and the 10,000
                                    rows to explain, DIR/data.csv
  xgb_bench.py time DIR THREADS     one warm-up and one timed
                                    Booster.predict(pred_contribs=True) with
                                    nthread=THREADS; prints the seconds
  xgb_bench.py compare DIR OUT.bin  max |candor - xgboost| relative to
                                    max(|xgboost|, 0.1 row max) (as tests/tree)
  xgb_bench.py time_inter DIR THREADS CSV
                                    one timed predict(pred_interactions=True)
                                    of the rows of CSV (a warm-up call on its
                                    first 16 rows before); prints the seconds
  xgb_bench.py compare_inter DIR OUT.bin CSV
                                    the relative error as compare, then the
                                    max absolute difference, for interactions
"""
import os
import sys
import time

import numpy as np
import xgboost as xgb

M, NTRAIN, NROWS = 12, 20000, 10000


def rows(rng, n):
    X = rng.normal(size=(n, M)).astype(np.float32)
    X[:, 3] = rng.integers(0, 5, n)
    X[rng.random(X.shape) < 0.05] = np.nan
    return X


def load(d, csv="data.csv"):
    X = np.genfromtxt(os.path.join(d, csv), delimiter=",", skip_header=1,
                      dtype=np.float32, missing_values="", filling_values=np.nan)
    b = xgb.Booster(model_file=os.path.join(d, "model.json"))
    return b, X


cmd, d = sys.argv[1], sys.argv[2]
if cmd == "train":
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(2026)
    X = rows(rng, NTRAIN)
    Z = np.nan_to_num(X)
    s = Z[:, 0] - 0.8 * Z[:, 1] * Z[:, 2] + np.sin(2 * Z[:, 4]) + 0.3 * Z[:, 3] * (Z[:, 5] > 0)
    s += 0.5 * Z[:, 6:].sum(axis=1) / 3
    y = (s + rng.normal(scale=0.7, size=NTRAIN) > 0).astype(np.float32)
    names = ["v%02d" % j for j in range(M)]
    b = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "nthread": 2,
                   "seed": 1}, xgb.DMatrix(X, label=y, feature_names=names), 100)
    b.save_model(os.path.join(d, "model.json"))
    Xt = rows(rng, NROWS)
    with open(os.path.join(d, "data.csv"), "w") as f:
        f.write(",".join(names) + "\n")
        for r in Xt:
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in r) + "\n")
elif cmd == "time":
    b, X = load(d)
    b.set_param({"nthread": int(sys.argv[3])})
    dm = xgb.DMatrix(X, feature_names=b.feature_names)
    b.predict(dm, pred_contribs=True)
    t0 = time.perf_counter()
    b.predict(dm, pred_contribs=True)
    print("%.6f" % (time.perf_counter() - t0))
elif cmd == "compare":
    b, X = load(d)
    ref = b.predict(xgb.DMatrix(X, feature_names=b.feature_names),
                    pred_contribs=True).astype(np.float64)
    got = np.fromfile(sys.argv[3], dtype="<f8").reshape(ref.shape)
    big = np.abs(ref).max(axis=1, keepdims=True)
    scale = np.maximum(np.abs(ref), 0.1 * big)
    print("%.3g" % float((np.abs(got - ref) / scale).max()))
elif cmd == "time_inter":
    b, X = load(d, sys.argv[4])
    b.set_param({"nthread": int(sys.argv[3])})
    dm = xgb.DMatrix(X, feature_names=b.feature_names)
    b.predict(xgb.DMatrix(X[:16], feature_names=b.feature_names), pred_interactions=True)
    t0 = time.perf_counter()
    b.predict(dm, pred_interactions=True)
    print("%.6f" % (time.perf_counter() - t0))
elif cmd == "compare_inter":
    b, X = load(d, sys.argv[4])
    ref = b.predict(xgb.DMatrix(X, feature_names=b.feature_names),
                    pred_interactions=True).astype(np.float64).reshape(len(X), -1)
    got = np.fromfile(sys.argv[3], dtype="<f8").reshape(ref.shape)
    big = np.abs(ref).max(axis=1, keepdims=True)
    scale = np.maximum(np.abs(ref), 0.1 * big)
    print("%.3g %.3g" % (float((np.abs(got - ref) / scale).max()), float(np.abs(got - ref).max())))
elif cmd == "time_predict":
    b, X = load(d)
    b.set_param({"nthread": int(sys.argv[3])})
    n, reps = int(sys.argv[4]), int(sys.argv[5])
    Xr = np.ascontiguousarray(np.resize(X, (n, X.shape[1])))
    b.inplace_predict(Xr)
    secs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        b.inplace_predict(Xr)
        secs.append(time.perf_counter() - t0)
    print("%.6f" % float(np.median(secs)))
elif cmd == "compare_predict":
    b, X = load(d)
    n = int(sys.argv[4])
    ref = b.inplace_predict(np.ascontiguousarray(np.resize(X, (n, X.shape[1])))).astype(np.float64)
    got = np.fromfile(sys.argv[3], dtype="<f8").reshape(ref.shape)
    print("%.3g" % float(np.abs(got - ref).max()))
