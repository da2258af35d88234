#!/usr/bin/python3
"""Train small XGBoost models and record XGBoost's own answers for them.

Usage: make_fixtures.py OUTDIR [STAMP]

For each model NAME it writes, into OUTDIR:
  NAME.json           Booster.save_model() output (the model under test)
  NAME.data.csv       the rows to explain: header of feature names, float32
                      values written exactly, an empty field for NaN
  NAME.pred.csv       Booster.predict(d)                       n x K
  NAME.margin.csv     Booster.predict(d, output_margin=True)   n x K
  NAME.contribs.csv   Booster.predict(d, pred_contribs=True)   n x K*(M+1)
  NAME.inter.csv      Booster.predict(d, pred_interactions=True) n x K*(M+1)^2
and a few malformed or unsupported models (bad_*.json) for the error tests.
These are the oracles of tests/tree/test_tree.c: python3-xgboost (Debian 12,
1.7.x), an implementation independent of candor. Seeds are fixed, so the
files are the same on every run of the same XGBoost version.
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def data(rng, n, m, nan_rate):
    X = rng.normal(size=(n, m)).astype(np.float32)
    X[:, 1] = np.round(X[:, 1] * 2)  # ties at thresholds
    if m > 3:
        X[:, 3] = rng.integers(0, 4, n)  # a discrete feature
    if nan_rate > 0:
        X[rng.random(X.shape) < nan_rate] = np.nan
    return X


def target(X, kind, rng):
    Z = np.nan_to_num(X, nan=0.3)
    s = 1.3 * Z[:, 0] - 0.7 * Z[:, 1] * Z[:, 2] + 0.5 * np.sin(Z[:, 2] * 2)
    if Z.shape[1] > 4:
        s += 0.4 * (Z[:, 4] > 0.2) * Z[:, 3]
    if kind == "binary":
        return (s + rng.normal(scale=0.5, size=len(s)) > 0).astype(np.float32)
    if kind == "multi":
        return np.digitize(s + rng.normal(scale=0.3, size=len(s)), [-0.5, 0.6]).astype(np.float32)
    if kind == "count":
        return rng.poisson(np.exp(0.4 * s)).astype(np.float32)
    if kind == "pos":
        return (np.exp(0.3 * s) * rng.gamma(4.0, 0.25, size=len(s))).astype(np.float32)
    return (s + rng.normal(scale=0.2, size=len(s))).astype(np.float32)


def fmt(v):
    return "" if np.isnan(v) else repr(float(v))


def write_csv(path, header, rows):
    with open(path, "w") as f:
        if header is not None:
            f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(fmt(v) for v in r) + "\n")


def make(name, kind, params, n_train, n_test, m, rounds, nan_rate, seed, names=True,
         interactions=True):
    rng = np.random.default_rng(seed)
    X = data(rng, n_train, m, nan_rate)
    y = target(X, kind, rng)
    fn = ["x%d_%s" % (j, "abcdefghijklmnop"[j]) for j in range(m)] if names else None
    d = xgb.DMatrix(X, label=y, feature_names=fn, missing=np.nan)
    p = dict(params, seed=seed, nthread=1)
    b = xgb.train(p, d, rounds)
    b.save_model(os.path.join(OUT, name + ".json"))
    Xt = data(rng, n_test, m, nan_rate)
    dt = xgb.DMatrix(Xt, feature_names=fn, missing=np.nan)
    header = fn if names else ["f%d" % j for j in range(m)]
    write_csv(os.path.join(OUT, name + ".data.csv"), header, Xt)
    n = n_test
    write_csv(os.path.join(OUT, name + ".pred.csv"), None, b.predict(dt).reshape(n, -1))
    write_csv(os.path.join(OUT, name + ".margin.csv"), None,
              b.predict(dt, output_margin=True).reshape(n, -1))
    write_csv(os.path.join(OUT, name + ".contribs.csv"), None,
              b.predict(dt, pred_contribs=True).reshape(n, -1))
    if interactions:
        write_csv(os.path.join(OUT, name + ".inter.csv"), None,
                  b.predict(dt, pred_interactions=True).reshape(n, -1))


make("bin_d2", "binary", {"objective": "binary:logistic", "max_depth": 2, "eta": 0.3},
     400, 60, 5, 20, 0.1, 1)
make("bin_d6", "binary", {"objective": "binary:logistic", "max_depth": 6, "eta": 0.2,
                          "base_score": 0.3},
     800, 60, 8, 30, 0.15, 2, names=False)
make("bin_d9", "binary", {"objective": "binary:logistic", "max_depth": 9, "eta": 0.3,
                          "min_child_weight": 0.1},
     1200, 40, 6, 10, 0.05, 3)
make("reg_d4", "reg", {"objective": "reg:squarederror", "max_depth": 4, "eta": 0.3,
                       "base_score": 0.25},
     500, 60, 6, 25, 0.1, 4)
make("reglog_d3", "binary", {"objective": "reg:logistic", "max_depth": 3, "eta": 0.3},
     400, 40, 5, 10, 0.1, 5)
make("multi_d3", "multi", {"objective": "multi:softprob", "num_class": 3, "max_depth": 3,
                           "eta": 0.3},
     600, 50, 6, 12, 0.1, 6)
make("rf_multi", "multi", {"objective": "multi:softprob", "num_class": 3, "max_depth": 3,
                           "num_parallel_tree": 3, "subsample": 0.8,
                           "colsample_bynode": 0.7},
     400, 30, 5, 3, 0.1, 7, interactions=False)
make("small_d3", "reg", {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.5},
     300, 12, 5, 6, 0.15, 8)

# One model per supported objective, for its base_score transform (XGBoost's
# ProbToMargin): the margins of test_tree.c must equal output_margin exactly.
# binary:logitraw takes base_score as a margin, so 0 and negative values are
# valid; the log-link objectives take its log.
OBJECTIVES = [
    ("logitraw_def", "binary", {"objective": "binary:logitraw"}),
    ("logitraw_b0", "binary", {"objective": "binary:logitraw", "base_score": 0.0}),
    ("logitraw_bneg", "binary", {"objective": "binary:logitraw", "base_score": -1.25}),
    ("logistic_b07", "binary", {"objective": "binary:logistic", "base_score": 0.7}),
    ("sqlog", "pos", {"objective": "reg:squaredlogerror", "base_score": 1.5}),
    ("huber", "reg", {"objective": "reg:pseudohubererror", "base_score": -0.3}),
    ("absolute", "reg", {"objective": "reg:absoluteerror"}),
    ("poisson", "count", {"objective": "count:poisson", "base_score": 1.7}),
    ("gamma", "pos", {"objective": "reg:gamma", "base_score": 0.8}),
    ("tweedie", "pos", {"objective": "reg:tweedie", "tweedie_variance_power": 1.4}),
]
for i, (name, kind, params) in enumerate(OBJECTIVES):
    make(name, kind, dict(params, max_depth=3, eta=0.3), 300, 25, 5, 8, 0.1, 20 + i)

# Categorical splits (enable_categorical, hist): features 0 and 2 are
# category codes 0..C-1 in training; the rows to explain also hold NaN,
# negative codes and codes beyond every set (XGBoost sends those left).
def make_cat(name, kind, params, n_train, n_test, rounds, seed):
    rng = np.random.default_rng(seed)

    def cdata(n, lo, hi):
        X = rng.normal(size=(n, 4)).astype(np.float32)
        X[:, 0] = rng.integers(lo, hi, n)
        X[:, 2] = rng.integers(lo, hi, n)
        X[rng.random(X.shape) < 0.08] = np.nan
        return X

    X = cdata(n_train, 0, 9)
    Z = np.nan_to_num(X, nan=1.0)
    s = np.isin(Z[:, 0], [1, 4, 6]) * 1.5 - np.isin(Z[:, 2], [0, 3]) + 0.6 * Z[:, 1]
    if kind == "multi":
        y = np.digitize(s + rng.normal(scale=0.3, size=n_train), [-0.3, 0.8]).astype(np.float32)
    else:
        y = (s + rng.normal(scale=0.4, size=n_train) > 0.4).astype(np.float32)
    ft = ["c", "q", "c", "q"]
    d = xgb.DMatrix(X, label=y, feature_types=ft, enable_categorical=True)
    b = xgb.train(dict(params, tree_method="hist", seed=seed, nthread=1), d, rounds)
    b.save_model(os.path.join(OUT, name + ".json"))
    Xt = cdata(n_test, -2, 12)
    dt = xgb.DMatrix(Xt, feature_types=ft, enable_categorical=True)
    write_csv(os.path.join(OUT, name + ".data.csv"), ["f%d" % j for j in range(4)], Xt)
    for ext, kw in ((".pred.csv", {}), (".margin.csv", {"output_margin": True}),
                    (".contribs.csv", {"pred_contribs": True}),
                    (".inter.csv", {"pred_interactions": True})):
        write_csv(os.path.join(OUT, name + ext), None, b.predict(dt, **kw).reshape(n_test, -1))


make_cat("cat_bin", "binary", {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3,
                               "max_cat_to_onehot": 1}, 600, 60, 10, 30)
make_cat("cat_onehot", "binary", {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3,
                                  "max_cat_to_onehot": 16}, 400, 40, 6, 31)
make_cat("cat_multi", "multi", {"objective": "multi:softprob", "num_class": 3, "max_depth": 3,
                                "eta": 0.3, "max_cat_to_onehot": 1}, 600, 50, 8, 32)

# dart boosters: every tree at predict time, scaled by its weight_drop
make("dart_bin", "binary", {"objective": "binary:logistic", "booster": "dart", "max_depth": 3,
                            "eta": 0.3, "rate_drop": 0.3, "skip_drop": 0.0},
     400, 40, 5, 12, 0.1, 33)
make("dart_multi", "multi", {"objective": "multi:softprob", "num_class": 3, "booster": "dart",
                             "max_depth": 3, "eta": 0.3, "rate_drop": 0.2,
                             "normalize_type": "forest"},
     400, 40, 5, 8, 0.1, 34)

# ---- malformed and unsupported models -----------------------------------
with open(os.path.join(OUT, "bin_d2.json")) as f:
    good = f.read()
j = json.loads(good)
j["learner"]["objective"]["name"] = "rank:pairwise"
with open(os.path.join(OUT, "bad_objective.json"), "w") as f:
    json.dump(j, f)
with open(os.path.join(OUT, "bad_truncated.json"), "w") as f:
    f.write(good[: len(good) // 2])
j = json.loads(good)
t = j["learner"]["gradient_booster"]["model"]["trees"][0]
t["left_children"] = t["left_children"][:-1]
with open(os.path.join(OUT, "bad_arrays.json"), "w") as f:
    json.dump(j, f)
j = json.loads(good)
t = j["learner"]["gradient_booster"]["model"]["trees"][1]
t["left_children"][0] = 0  # a cycle
with open(os.path.join(OUT, "bad_cycle.json"), "w") as f:
    json.dump(j, f)

# Files XGBoost refuses or that are inconsistent (issue 9, finding 5): each
# breaks one rule of models/xgboost.c; the test checks the error and that
# its line:column points at the value named in BAD_AT.
BAD_AT = {}


def bad(name, edit, at):
    j = json.loads(good)
    edit(j)
    text = json.dumps(j)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        f.write(text)
    BAD_AT[name] = at


def tree0(j):
    return j["learner"]["gradient_booster"]["model"]["trees"][0]


def first_leaf(t):
    return t["left_children"].index(-1)


def set_leaf(j, v):
    t = tree0(j)
    t["split_conditions"][first_leaf(t)] = v


bad("bad_leaf_overflow", lambda j: set_leaf(j, 1e39), "1e+39")
bad("bad_leaf_nan", lambda j: set_leaf(j, float("nan")), "NaN")
bad("bad_threshold_overflow", lambda j: tree0(j)["split_conditions"].__setitem__(0, -3.5e38 * 10),
    "-3.5e+39")
bad("bad_cover", lambda j: tree0(j)["sum_hessian"].__setitem__(1, tree0(j)["sum_hessian"][1] * 1.5),
    "%r" % tree0(json.loads(good))["sum_hessian"][0])  # the parent is blamed
bad("bad_dup_names", lambda j: j["learner"]["feature_names"].__setitem__(2, "x0_a"), '"x0_a"')
bad("bad_names_count", lambda j: j["learner"]["feature_names"].pop(), '["x0_a"')
bad("bad_default_left", lambda j: tree0(j)["default_left"].__setitem__(0, 2), "2")
bad("bad_parents", lambda j: tree0(j)["parents"].__setitem__(2, 1), "1")
bad("bad_no_parents", lambda j: tree0(j).pop("parents"), "{")
bad("bad_string_number", lambda j: tree0(j)["split_conditions"].__setitem__(0, "0.5"), '"0.5"')
bad("bad_float_child", lambda j: tree0(j)["left_children"].__setitem__(0, 1.0), "1.0")
bad("bad_base_score", lambda j: j["learner"]["learner_model_param"].__setitem__("base_score", "1"),
    '"1"')
bad("bad_feature_type", lambda j: j["learner"].__setitem__("feature_types", ["float"] * 4 + ["x"]),
    '"x"')
with open(os.path.join(OUT, "bad_at.txt"), "w") as f:
    for k, v in BAD_AT.items():
        f.write("%s %s\n" % (k, v))

rng = np.random.default_rng(9)
X = rng.integers(0, 4, size=(200, 2)).astype(np.float32)
y = (X[:, 0] == 2).astype(np.float32)
d = xgb.DMatrix(X, label=y)
b = xgb.train({"objective": "binary:logistic", "booster": "gblinear", "nthread": 1}, d, 2)
b.save_model(os.path.join(OUT, "bad_gblinear.json"))

# UBJSON (Booster.save_model("m.ubj")) of each kind: the same boosters
# written by XGBoost in its binary JSON, with the same oracle files.
import shutil
for name in ("bin_d2", "multi_d3", "cat_multi", "dart_bin"):
    b = xgb.Booster(model_file=os.path.join(OUT, name + ".json"))
    b.save_model(os.path.join(OUT, name + "_ubj.ubj"))
    for ext in (".data.csv", ".pred.csv", ".margin.csv", ".contribs.csv", ".inter.csv"):
        shutil.copy(os.path.join(OUT, name + ext), os.path.join(OUT, name + "_ubj" + ext))
b = xgb.Booster(model_file=os.path.join(OUT, "bad_gblinear.json"))
b.save_model(os.path.join(OUT, "bad_gblinear.ubj"))

# Malformed UBJSON, each with the 1-based byte column its error must name.
with open(os.path.join(OUT, "bin_d2_ubj.ubj"), "rb") as f:
    ubj = f.read()


def ukey(k):
    return b"L" + len(k).to_bytes(8, "big") + k


BAD_UBJ = {
    "bad_ubj_truncated": (ubj[: len(ubj) // 2], 0),  # 0: any column
    "bad_ubj_marker": (b"{" + ukey(b"learner") + b"X}", 1 + 9 + 7 + 1),
    "bad_ubj_count": (b"{" + ukey(b"a") + b"[$d#L" + (2 ** 62).to_bytes(8, "big") + b"}",
                      1 + 10 + 4 + 1),
    "bad_ubj_depth": (b"{" + ukey(b"a") + b"[" * 300 + b"]" * 300 + b"}", 1 + 10 + 31 + 1),
}
with open(os.path.join(OUT, "bad_ubj_at.txt"), "w") as f:
    for k, (data_, col) in BAD_UBJ.items():
        with open(os.path.join(OUT, k + ".ubj"), "wb") as g:
            g.write(data_)
        f.write("%s %d\n" % (k, col))

if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("xgboost %s\n" % xgb.__version__)
