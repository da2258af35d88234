#!/usr/bin/python3
"""Python side of bench/treeshap_forest.sh.

  rf_bench.py train DIR            XGBoost's own random forest (1 round,
                                   num_parallel_tree=500, max_depth 10,
                                   binary:logistic, subsample 0.8,
                                   colsample_bynode 0.8 as XGBRFClassifier)
                                   on 20,000 rows of 12 features -> DIR/rf.json;
                                   scikit-learn RandomForestClassifier (500
                                   trees, max_depth 10) on the same rows ->
                                   DIR/sk_rf.pkl; the 10,000 rows to explain
                                   -> DIR/data.csv (no missing values: sklearn
                                   1.2's forests refuse NaN)
  rf_bench.py time DIR THREADS CSV    one warm-up on 16 rows and one timed
                                   Booster.predict(pred_contribs=True) of all
                                   rows with nthread=THREADS; prints seconds
  rf_bench.py compare DIR OUT.bin CSV max |candor - xgboost| relative to
                                   max(|xgboost|, 0.1 row max) (as tests/tree)
"""
import os
import pickle
import sys
import time

import numpy as np
import xgboost as xgb

M, NTRAIN, NROWS = 12, 20000, 10000


def rows(rng, n):
    X = rng.normal(size=(n, M)).astype(np.float32)
    X[:, 3] = rng.integers(0, 5, n)
    return X


def load(d, csv):
    X = np.genfromtxt(os.path.join(d, csv), delimiter=",", skip_header=1,
                      dtype=np.float32)
    return xgb.Booster(model_file=os.path.join(d, "rf.json")), X


cmd, d = sys.argv[1], sys.argv[2]
names = ["v%02d" % j for j in range(M)]
if cmd == "train":
    from sklearn.ensemble import RandomForestClassifier
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(2027)
    X = rows(rng, NTRAIN)
    s = X[:, 0] - 0.8 * X[:, 1] * X[:, 2] + np.sin(2 * X[:, 4]) + 0.3 * X[:, 3] * (X[:, 5] > 0)
    s += 0.5 * X[:, 6:].sum(axis=1) / 3
    y = (s + rng.normal(scale=0.7, size=NTRAIN) > 0).astype(np.float32)
    b = xgb.train({"objective": "binary:logistic", "max_depth": 10, "eta": 1.0,
                   "num_parallel_tree": 500, "subsample": 0.8, "colsample_bynode": 0.8,
                   "reg_lambda": 1e-5, "nthread": 2, "seed": 1},
                  xgb.DMatrix(X, label=y, feature_names=names), 1)
    b.save_model(os.path.join(d, "rf.json"))
    rf = RandomForestClassifier(n_estimators=500, max_depth=10, n_jobs=2, random_state=1)
    rf.fit(X.astype(np.float64), y.astype(int))
    with open(os.path.join(d, "sk_rf.pkl"), "wb") as f:
        pickle.dump(rf, f)
    Xt = rows(rng, NROWS)
    with open(os.path.join(d, "data.csv"), "w") as f:
        f.write(",".join(names) + "\n")
        for r in Xt:
            f.write(",".join(repr(float(v)) for v in r) + "\n")
elif cmd == "time":
    b, X = load(d, sys.argv[4])
    b.set_param({"nthread": int(sys.argv[3])})
    dm = xgb.DMatrix(X, feature_names=b.feature_names)
    b.predict(xgb.DMatrix(X[:16], feature_names=b.feature_names), pred_contribs=True)
    t0 = time.perf_counter()
    b.predict(dm, pred_contribs=True)
    print("%.6f" % (time.perf_counter() - t0))
elif cmd == "compare":
    b, X = load(d, sys.argv[4])
    ref = b.predict(xgb.DMatrix(X, feature_names=b.feature_names),
                    pred_contribs=True).astype(np.float64)
    got = np.fromfile(sys.argv[3], dtype="<f8").reshape(ref.shape)
    big = np.abs(ref).max(axis=1, keepdims=True)
    scale = np.maximum(np.abs(ref), 0.1 * big)
    print("%.3g" % float((np.abs(got - ref) / scale).max()))
