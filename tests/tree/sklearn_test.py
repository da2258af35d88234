#!/usr/bin/python3
"""scikit-learn's tree ensembles through tools/candor-export-sklearn and
candor's tree-ensemble reader (models/ensemble.c), against scikit-learn.

Every family is trained here, with fixed seeds, on 5 features (so that the
brute-force oracles enumerate all 2^5 coalitions), exported, and read back
by tests/tree/ensemble_dump.c (candor_model_predict, candor_treeshap,
candor_treeshap_interventional). Oracles:
  - predictions: scikit-learn's own predict_proba / decision_function /
    predict, to 1e-12 of max(1, |value|). The rows include values next to
    the trees' thresholds, where comparing float64(x) instead of float32(x)
    (classic trees) would take the other branch;
  - path-dependent SHAP: Lundberg et al. 2020, Algorithm 1, written here
    from scikit-learn's own arrays (tree_ / _predictors, covers from
    weighted_n_node_samples / count): v(S) is the cover-weighted
    conditional expectation, and the Shapley values enumerate all 2^M
    coalitions;
  - interventional SHAP: v(S) is the mean over a background of
    scikit-learn's own prediction (margin space) of the rows that take S
    from x and the rest from the background row, enumerated;
  - efficiency: the values plus the base value equal candor's prediction in
    the documented output space (probability for the forests' classifiers,
    log-odds or per-class margins for the boosted classifiers, the log of
    the prediction for poisson).
SHAP tolerance 1e-10 of max(1, the row's largest |value|): both sides are
double sums of the same terms in different orders (measured ~1e-15).
Then the refusals: the exporter's (exit 2 and the reason) and candor's
(`candor explain` exit 2 with FILE:LINE:COL).
Exit 77 when scikit-learn is not installed.
"""
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import sklearn  # noqa: F401
    from sklearn import ensemble, tree
except ImportError:
    print("scikit-learn is not installed: skipped")
    sys.exit(77)

BIN = os.environ["CANDOR_BIN"]
DUMP = os.environ["ENSEMBLE_DUMP"]
EXPORT = os.environ["CANDOR_EXPORT_SKLEARN"]
M = 5
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)
    return cond


def close(a, b, tol, scale=1.0):
    return abs(a - b) <= tol * max(1.0, abs(b), scale)


# ===== data ================================================================

rng = np.random.RandomState(12)
N = 400
Xtr = np.c_[rng.randn(N) * 1000 + 0.1, rng.rand(N) * 3, rng.randn(N),
            rng.randint(0, 4, N).astype(float), rng.rand(N) ** 3 * 77.7]
lin = Xtr[:, 0] / 1000 + np.sin(3 * Xtr[:, 1]) + Xtr[:, 2] * (Xtr[:, 3] - 1.5) + Xtr[:, 4] / 30
y_reg = lin + 0.3 * rng.randn(N)
y_bin = (lin + 0.5 * rng.randn(N) > 0.8).astype(int)
y_3 = np.digitize(lin + 0.5 * rng.randn(N), [0.2, 1.4])
# HistGradientBoosting: missing values and a categorical feature (column 3)
Xh = Xtr.copy()
Xh[rng.rand(N) < 0.1, 0] = np.nan
Xh[rng.rand(N) < 0.1, 3] = np.nan
Xh[:, 3] = np.where(np.isnan(Xh[:, 3]), np.nan, (Xtr[:, 3] * 3 + rng.randint(0, 3, N)) % 10)
# missing values that say something, so that trees split "on missing values"
# (num_threshold +inf: every number left, NaN right)
Xh[(lin > 1.0) & (rng.rand(N) < 0.7), 1] = np.nan
yh = y_bin ^ (np.nan_to_num(Xh[:, 3], nan=1) % 3 == 0)


def test_rows(X, thresholds):
    """Random rows plus rows sitting on and beside the given (feature,
    threshold) pairs: threshold, the doubles next to it, float32 neighbours."""
    rows = [X[i].copy() for i in rng.choice(len(X), 24, replace=False)]
    for k, (f, t) in enumerate(thresholds):
        f32 = float(np.float32(t))
        for v in (t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf), f32,
                  float(np.nextafter(np.float32(t), np.float32(np.inf))),
                  (f32 + float(np.nextafter(np.float32(t), np.float32(np.inf)))) / 2,
                  np.nextafter((f32 + float(np.nextafter(np.float32(t),
                                                         np.float32(np.inf)))) / 2, np.inf)):
            r = X[k % len(X)].copy()
            r[f] = v
            rows.append(r)
    return np.array(rows)


def classic_thresholds(est):
    trees = [est] if not hasattr(est, "estimators_") else list(np.ravel(est.estimators_))
    out = []
    for t in trees[:3]:
        tr = t.tree_
        for i in range(min(tr.node_count, 6)):
            if tr.children_left[i] != -1:
                out.append((int(tr.feature[i]), float(tr.threshold[i])))
    return out


def hist_thresholds(est):
    out = []
    for it in est._predictors[:3]:
        for p in it:
            for nd in p.nodes[:6]:
                if not nd["is_leaf"] and not nd["is_categorical"] and \
                        math.isfinite(nd["num_threshold"]):
                    out.append((int(nd["feature_idx"]), float(nd["num_threshold"])))
    return out


# ===== the oracles =========================================================

class Tree:
    """One additive tree of the model, from scikit-learn's own arrays:
    go(node, x) -> child, value[leaf] (already scaled), cover[node]."""

    def __init__(self, left, right, feature, go, value, cover, output):
        self.left, self.right, self.feature = left, right, feature
        self.go, self.value, self.cover, self.output = go, value, cover, output

    def cond(self, x, S, node=0):
        """Algorithm 1: E[f(x) | x_S], the covers weighting unknown branches."""
        if self.left[node] == -1:
            return self.value[node]
        f = self.feature[node]
        if f in S:
            return self.cond(x, S, self.go(node, x[f]))
        l, r = self.left[node], self.right[node]
        cl, cr = self.cover[l], self.cover[r]
        return (cl * self.cond(x, S, l) + cr * self.cond(x, S, r)) / (cl + cr)


def classic_tree(t, leafval, scale, output):
    tr = t.tree_
    thr = tr.threshold

    def go(node, v):
        return tr.children_left[node] if float(np.float32(v)) <= thr[node] \
            else tr.children_right[node]
    value = {i: scale * leafval[i] for i in range(tr.node_count) if tr.children_left[i] == -1}
    return Tree(tr.children_left, tr.children_right, tr.feature, go, value,
                tr.weighted_n_node_samples, output)


def oracle_trees(est):
    """(base[K], [Tree]) of est in margin space."""
    name = type(est).__name__
    if "Hist" in name:
        K = est.n_trees_per_iteration_
        known, fmap = est._bin_mapper.make_known_categories_bitsets()
        trees = []
        for it in est._predictors:
            for k, p in enumerate(it):
                nodes = p.nodes
                bits = p.raw_left_cat_bitsets

                def go(node, v, nodes=nodes, bits=bits):
                    nd = nodes[node]
                    miss = nd["left"] if nd["missing_go_to_left"] else nd["right"]
                    if math.isnan(v):
                        return miss
                    if nd["is_categorical"]:
                        if v < 0:
                            return miss
                        c = int(v) & 255  # <uint8_t> as sklearn casts
                        if bits[nd["bitset_idx"]][c // 32] >> (c % 32) & 1:
                            return nd["left"]
                        f = fmap[nd["feature_idx"]]
                        if known[f][c // 32] >> (c % 32) & 1:
                            return nd["right"]
                        return miss
                    return nd["left"] if v <= nd["num_threshold"] else nd["right"]
                left = [-1 if nd["is_leaf"] else int(nd["left"]) for nd in nodes]
                right = [-1 if nd["is_leaf"] else int(nd["right"]) for nd in nodes]
                value = {i: float(nd["value"]) for i, nd in enumerate(nodes) if nd["is_leaf"]}
                trees.append(Tree(left, right, [int(nd["feature_idx"]) for nd in nodes], go,
                                  value, [float(nd["count"]) for nd in nodes], k))
        return list(np.ravel(est._baseline_prediction)), trees
    if "GradientBoosting" in name:
        K = est.estimators_.shape[1]
        base = list(np.ravel(est._raw_predict_init(Xtr[:1])))
        trees = [classic_tree(st[k], st[k].tree_.value[:, 0, 0], est.learning_rate, k)
                 for st in est.estimators_ for k in range(K)]
        return base, trees
    single = not hasattr(est, "estimators_")
    ts = [est] if single else est.estimators_
    T = len(ts)
    if name.endswith("Classifier"):
        K = len(est.classes_)
        trees = []
        for t in ts:
            v = t.tree_.value[:, 0, :K]
            s = v.sum(axis=1)
            s[s == 0] = 1
            p = v / s[:, None]
            trees += [classic_tree(t, p[:, k], 1.0 / T, k) for k in range(K)]
        return [0.0] * K, trees
    return [0.0], [classic_tree(t, t.tree_.value[:, 0, 0], 1.0 / T, 0) for t in ts]


def shapley(vfun, K):
    """Exact Shapley values of the set function vfun(S) -> K margins."""
    phi = np.zeros((K, M + 1))
    vals = {}
    for r in range(M + 1):
        for S in itertools.combinations(range(M), r):
            vals[frozenset(S)] = np.asarray(vfun(frozenset(S)), dtype=float)
    for i in range(M):
        for S, v in vals.items():
            if i in S:
                continue
            w = math.factorial(len(S)) * math.factorial(M - len(S) - 1) / math.factorial(M)
            phi[:, i] += w * (vals[S | {i}] - v)
    phi[:, M] = vals[frozenset()]
    return phi


def margin_fn(est):
    """scikit-learn's own prediction in the documented SHAP output space."""
    name = type(est).__name__
    if name.endswith("Classifier") and "Gradient" not in name:
        return est.predict_proba
    if "Hist" in name:
        return lambda X: est._raw_predict(X)
    if name == "GradientBoostingClassifier":
        return lambda X: est.decision_function(X).reshape(len(X), -1)
    return lambda X: est.predict(X).reshape(-1, 1)


def output_fn(est):
    """What candor_model_predict should equal."""
    name = type(est).__name__
    if name.endswith("Classifier"):
        if "Gradient" in name and len(est.classes_) == 2:
            return lambda X: est.predict_proba(X)[:, 1:]
        return est.predict_proba
    return lambda X: est.predict(X).reshape(-1, 1)


# ===== running candor ======================================================

def write_rows(path, X):
    with open(path, "w") as f:
        f.write("%d %d\n" % X.shape)
        for r in X:
            f.write(" ".join(repr(float(v)) for v in r) + "\n")


def dump(model, X, bg=None, tmp="."):
    xp = os.path.join(tmp, "rows.txt")
    write_rows(xp, X)
    args = [DUMP, model, xp]
    if bg is not None:
        bp = os.path.join(tmp, "bg.txt")
        write_rows(bp, bg)
        args.append(bp)
    r = subprocess.run(args, capture_output=True, text=True)
    out = {"pred": {}, "path": {}, "intv": {}, "intr": {}, "error": None, "rc": r.returncode}
    for line in r.stdout.splitlines():
        w = line.split()
        if w[0] == "error":
            out["error"] = line
        elif w[0] in out:
            out[w[0]][int(w[1])] = np.array([float(v) for v in w[2:]])
    return out


def export(est, tmp, name):
    import pickle
    pk = os.path.join(tmp, name + ".pkl")
    js = os.path.join(tmp, name + ".json")
    with open(pk, "wb") as f:
        pickle.dump(est, f)
    r = subprocess.run([EXPORT, pk, js], capture_output=True, text=True)
    return r, js


coverage = {"inf": 0}


def discriminating(est, X):
    """Rows whose float32 path meets a node where x <= t and float32(x) <= t
    disagree."""
    trees = [est] if not hasattr(est, "estimators_") else list(np.ravel(est.estimators_))
    count = 0
    for x in X:
        hit = False
        for t in trees:
            tr, node = t.tree_, 0
            while tr.children_left[node] != -1 and not hit:
                v, th = x[tr.feature[node]], tr.threshold[node]
                hit = (v <= th) != (float(np.float32(v)) <= th)
                node = tr.children_left[node] if float(np.float32(v)) <= th \
                    else tr.children_right[node]
            if hit:
                break
        count += hit
    return count


def run_case(name, est, X, y, tmp):
    est.fit(X, y)
    r, js = export(est, tmp, name)
    if not check(r.returncode == 0, "%s: export exit %d: %s" % (name, r.returncode, r.stderr)):
        return
    th = hist_thresholds(est) if "Hist" in type(est).__name__ else classic_thresholds(est)
    Xt = test_rows(X, th)
    if "Hist" in type(est).__name__:
        # missing values, unknown, negative and fractional categories
        extra = np.array([X[0], X[1], X[2], X[3], X[4]])
        extra[0, 3], extra[1, 3], extra[2, 3], extra[3, 3], extra[4, 0] = \
            np.nan, 12, -1, 2.5, np.nan
        Xt = np.r_[Xt, extra]
    if "Hist" in type(est).__name__:
        with open(js) as f:
            coverage["inf"] += f.read().count('"inf"')
    else:
        # the rows must tell float32(x) <= t from x <= t somewhere on a path
        check(discriminating(est, Xt) > 0, "%s: no row where float32 matters" % name)
    bg = X[rng.choice(len(X), 6, replace=False)]
    d = dump(js, Xt, bg, tmp)
    if not check(d["rc"] == 0, "%s: ensemble_dump: %s" % (name, d["error"])):
        return
    want = output_fn(est)(Xt)
    K = want.shape[1]
    worst = 0.0
    for i in range(len(Xt)):
        got = d["pred"][i]
        for k in range(K):
            worst = max(worst, abs(got[k] - want[i, k]) / max(1, abs(want[i, k])))
            check(close(got[k], want[i, k], 1e-12),
                  "%s row %d output %d: candor %r, sklearn %r" % (name, i, k, got[k],
                                                                  want[i, k]))
    # efficiency in margin space, against scikit-learn's margin
    marg = margin_fn(est)(Xt)
    for i in range(len(Xt)):
        phi = d["path"][i].reshape(K, M + 1)
        for k in range(K):
            check(close(phi[k].sum(), marg[i, k], 1e-12),
                  "%s row %d output %d: SHAP values sum to %r, sklearn margin %r"
                  % (name, i, k, phi[k].sum(), marg[i, k]))
    # interaction values: symmetric, each feature's line sums to its SHAP value
    for i in range(len(Xt)):
        inter = d["intr"][i].reshape(K, M + 1, M + 1)
        phi = d["path"][i].reshape(K, M + 1)
        scale = max(1.0, np.abs(phi).max())
        check(np.all(np.abs(inter - inter.transpose(0, 2, 1)) <= 1e-10 * scale) and
              np.all(np.abs(inter[:, :M, :].sum(axis=2) - phi[:, :M]) <= 1e-10 * scale) and
              np.all(np.abs(inter[:, M, M] - phi[:, M]) <= 1e-10 * scale),
              "%s row %d: interaction values do not add up to the SHAP values" % (name, i))
    # path-dependent values against Algorithm 1 enumerated (first rows)
    base, trees = oracle_trees(est)
    sw = 0.0
    for i in range(min(len(Xt), 12 if len(trees) > 60 else 30)):
        x = Xt[i]

        def v(S, x=x):
            out = np.array(base, dtype=float)
            for t in trees:
                out[t.output] += t.cond(x, S)
            return out
        want_phi = shapley(v, K)
        got = d["path"][i].reshape(K, M + 1)
        scale = np.abs(want_phi).max()
        sw = max(sw, np.abs(got - want_phi).max() / max(1, scale))
        check(np.all(np.abs(got - want_phi) <= 1e-10 * max(1, scale)),
              "%s row %d: path SHAP %s, oracle %s" % (name, i, got, want_phi))
    # interventional values: sklearn's own predictions on hybrid rows
    f = margin_fn(est)
    iw = 0.0
    for i in range(min(len(Xt), 10)):
        x = Xt[i]

        def v(S, x=x):
            H = bg.copy()
            for j in S:
                H[:, j] = x[j]
            return f(H).mean(axis=0)
        want_phi = shapley(v, K)
        got = d["intv"][i].reshape(K, M + 1)
        scale = np.abs(want_phi).max()
        iw = max(iw, np.abs(got - want_phi).max() / max(1, scale))
        check(np.all(np.abs(got - want_phi) <= 1e-10 * max(1, scale)),
              "%s row %d: interventional SHAP %s, oracle %s" % (name, i, got, want_phi))
    print("%-34s K=%d trees=%-4d rows=%-3d pred %.1e  path %.1e  interv %.1e"
          % (name, K, len(trees), len(Xt), worst, sw, iw))


CASES = [
    ("dt_classifier", tree.DecisionTreeClassifier(max_depth=5, random_state=1), "bin"),
    ("dt_regressor", tree.DecisionTreeRegressor(max_depth=6, random_state=1), "reg"),
    ("extra_tree_regressor", tree.ExtraTreeRegressor(max_depth=5, random_state=4), "reg"),
    ("rf_classifier_3", ensemble.RandomForestClassifier(n_estimators=12, max_depth=4,
                                                        random_state=2), "3"),
    ("rf_regressor", ensemble.RandomForestRegressor(n_estimators=9, max_depth=5,
                                                    random_state=3), "reg"),
    ("et_classifier", ensemble.ExtraTreesClassifier(n_estimators=8, max_depth=5,
                                                    random_state=5), "bin"),
    ("et_regressor", ensemble.ExtraTreesRegressor(n_estimators=6, max_depth=6,
                                                  random_state=6), "reg"),
    ("gb_classifier", ensemble.GradientBoostingClassifier(n_estimators=25, max_depth=3,
                                                          subsample=0.8, random_state=7),
     "bin"),
    ("gb_classifier_3", ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=3,
                                                            learning_rate=0.3,
                                                            random_state=8), "3"),
    ("gb_classifier_zero_init", ensemble.GradientBoostingClassifier(
        n_estimators=10, max_depth=2, init="zero", random_state=9), "bin"),
    ("gb_regressor", ensemble.GradientBoostingRegressor(n_estimators=30, max_depth=3,
                                                        random_state=10), "reg"),
    ("gb_regressor_huber", ensemble.GradientBoostingRegressor(
        loss="huber", n_estimators=15, max_depth=3, random_state=11), "reg"),
    ("gb_regressor_quantile", ensemble.GradientBoostingRegressor(
        loss="quantile", alpha=0.8, n_estimators=15, max_depth=3, random_state=11), "reg"),
    ("hgb_classifier", ensemble.HistGradientBoostingClassifier(
        max_iter=20, max_depth=4, categorical_features=[3], random_state=12), "hbin"),
    ("hgb_classifier_3", ensemble.HistGradientBoostingClassifier(
        max_iter=8, max_depth=3, random_state=13), "h3"),
    ("hgb_regressor", ensemble.HistGradientBoostingRegressor(
        max_iter=20, max_leaf_nodes=12, categorical_features=[3], random_state=14), "hreg"),
    ("hgb_poisson", ensemble.HistGradientBoostingRegressor(
        loss="poisson", max_iter=15, max_depth=3, random_state=15), "hpois"),
]


def data(kind):
    if kind == "bin":
        return Xtr, y_bin
    if kind == "3":
        return Xtr, y_3
    if kind == "reg":
        return Xtr, y_reg
    if kind == "hbin":
        return Xh, yh
    if kind == "h3":
        return Xh, y_3
    if kind == "hreg":
        return Xh, y_reg + 0.7 * (np.nan_to_num(Xh[:, 3], nan=4) % 4)
    return Xh, np.exp(y_reg / 2)


def refusals(tmp):
    """The exporter refuses, with exit 2 and the reason; so does candor."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    cases = [
        ("exponential", ensemble.GradientBoostingClassifier(loss="exponential",
                                                            n_estimators=3), "bin",
         "loss 'exponential' is not supported"),
        ("custom_init", ensemble.GradientBoostingClassifier(
            init=DummyClassifier(strategy="most_frequent"), n_estimators=3), "bin",
         "custom init estimator"),
        ("multi_output", ensemble.RandomForestRegressor(n_estimators=2), "multi",
         "multi-output models are not supported"),
        ("logistic", LogisticRegression(), "bin", "is not a scikit-learn estimator candor knows"),
        ("pipeline", make_pipeline(tree.DecisionTreeClassifier()), "bin",
         "is not a scikit-learn estimator candor knows"),
        ("adaboost", ensemble.AdaBoostClassifier(n_estimators=2), "bin",
         "is not a scikit-learn estimator candor knows"),
    ]
    for name, est, kind, msg in cases:
        y = np.c_[y_reg, y_reg * 2] if kind == "multi" else y_bin
        est.fit(Xtr, y)
        r, js = export(est, tmp, name)
        check(r.returncode == 2 and msg in r.stderr and
              r.stderr.startswith("candor-export-sklearn: "),
              "%s: exporter exit %d, stderr %r" % (name, r.returncode, r.stderr))
        check(not os.path.exists(js), "%s: the exporter left %s" % (name, js))

    # candor explain on an exported model, and on broken copies of it
    est = ensemble.GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=1)
    est.fit(Xtr, y_bin)
    r, js = export(est, tmp, "cli")
    data_csv = os.path.join(tmp, "d.csv")
    with open(data_csv, "w") as f:
        f.write(",".join("x%d" % j for j in range(M)) + "\n")
        for row in Xtr[:20]:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    out = os.path.join(tmp, "e.csv")
    r = subprocess.run([BIN, "explain", "--model", js, "--data", data_csv, "--out", out],
                       capture_output=True, text=True)
    if check(r.returncode == 0, "cli explain: exit %d: %s" % (r.returncode, r.stderr)):
        with open(out) as f:
            head = f.readline().strip().split(",")
            rows = [[float(v) for v in line.split(",")] for line in f]
        want = est.decision_function(Xtr[:20])
        check(head[1:M + 1] == ["x%d" % j for j in range(M)] and head[-2:] ==
              ["base_value", "prediction"], "cli explain header %r" % head)
        for i, row in enumerate(rows):
            check(close(row[-1], want[i], 1e-12) and close(sum(row[1:M + 2]), row[-1], 1e-12),
                  "cli explain row %d: %r, decision_function %r" % (i, row, want[i]))
    with open(js) as f:
        text = f.read()
    doc = json.loads(text)

    def broken(name, mutate, msg, status=2, src=None):
        d = json.loads(src or text)
        mutate(d)
        p = os.path.join(tmp, name + ".json")
        with open(p, "w") as f:
            json.dump(d, f, indent=1)
        o = os.path.join(tmp, name + ".csv")
        r = subprocess.run([BIN, "explain", "--model", p, "--data", data_csv, "--out", o],
                           capture_output=True, text=True)
        check(r.returncode == status and msg in r.stderr and
              r.stderr.startswith("candor: " + p + ":"),
              "%s: exit %d, stderr %r" % (name, r.returncode, r.stderr))
        check(not os.path.exists(o), "%s: left %s" % (name, o))
        # the line and column of the offending value (the file is indented)
        pos = r.stderr[len("candor: " + p + ":"):].split(":")[:2]
        check(len(pos) == 2 and pos[0].isdigit() and int(pos[0]) > 1 and pos[1].isdigit()
              and int(pos[1]) > 0, "%s: no position in %r" % (name, r.stderr))
        return r.stderr

    def set_version(d):
        d["version"] = 2
    broken("version2", set_version, "version 2 is not supported")

    def bad_cover(d):
        d["trees"][1]["cover"][0] += 10
    broken("cover", bad_cover, "the covers are inconsistent")

    def unknown(d):
        d["trees"][0]["scal"] = 1
    broken("unknown", unknown, "unknown member \"scal\"")

    def bad_feature(d):
        d["trees"][0]["feature"][0] = M
    broken("feature", bad_feature, "outside [-1, 4]")

    def shared_child(d):
        t = d["trees"][0]
        t["right"][0] = t["left"][0]
    broken("shared", shared_child, "two distinct children")

    def unreached(d):
        t = d["trees"][0]
        for key in ("left", "right", "feature", "threshold", "value", "cover"):
            t[key].append(t[key][-1])
    broken("unreached", unreached, "is not reached from the root")

    def softmax1(d):
        d["transform"] = "softmax"
    broken("softmax1", softmax1, "does not go with 1 output")

    def nan_threshold(d):
        d["trees"][0]["threshold"][0] = "inf"
    broken("strthreshold", nan_threshold, "expected a number")

    def hist_only(d):
        d["trees"][0]["missing_left"] = [False] * len(d["trees"][0]["left"])
    broken("hist_only", hist_only, "only decision \"sklearn_hist\" has")

    # HistGradientBoosting documents: categorical splits and their rules
    hest = ensemble.HistGradientBoostingClassifier(max_iter=3, max_depth=3,
                                                   categorical_features=[3], random_state=1)
    hest.fit(Xh, yh)
    r, hjs = export(hest, tmp, "hist")
    with open(hjs) as f:
        htext = f.read()
    hdoc = json.loads(htext)

    def first_cat(d):
        for t in d["trees"]:
            for i, c in enumerate(t["categories"]):
                if c:
                    return t, i
        raise AssertionError("no categorical split")
    check(any(c for t in hdoc["trees"] for c in t["categories"]), "hist: no categorical split")

    def unknown_cat(d):
        t, i = first_cat(d)
        t["categories"][i].append(200)
    broken("unknown_cat", unknown_cat, "not a known category of feature 3", src=htext)

    def cat_twice(d):
        t, i = first_cat(d)
        t["categories"][i].append(t["categories"][i][0])
    broken("cat_twice", cat_twice, "twice", src=htext)

    def known_order(d):
        d["known_categories"][3] = list(reversed(d["known_categories"][3]))
    broken("known_order", known_order, "not strictly increasing", src=htext)

    def cat_threshold(d):
        t, i = first_cat(d)
        t["threshold"][i] = 0.5
    broken("cat_threshold", cat_threshold, "its threshold is null", src=htext)

    def leaf_missing(d):
        t = d["trees"][0]
        t["missing_left"][t["left"].index(-1)] = True
    broken("leaf_missing", leaf_missing, "is a leaf", src=htext)

    def nan_num(d):
        t = d["trees"][0]
        i = next(i for i, c in enumerate(t["categories"]) if c is None and t["left"][i] != -1)
        t["threshold"][i] = "nan"
    broken("nan_threshold", nan_num, "expected a number, \"inf\" or \"-inf\"", src=htext)

    # NaN in the data: scikit-learn's classic trees refuse it, so does candor's predict
    bad = Xtr[:3].copy()
    bad[1, 2] = np.nan
    d = dump(js, bad, None, tmp)
    check(d["rc"] == 1 and d["error"] and "row 1 of the rows given, feature 2 (0-based), is missing" in d["error"],
          "NaN row: %r" % d)
    # ... and so does `candor explain` (TreeSHAP), rather than send NaN some way
    nan_csv = os.path.join(tmp, "nan.csv")
    with open(nan_csv, "w") as f:
        f.write(",".join("x%d" % j for j in range(M)) + "\n1,2,,3,4\n")
    o = os.path.join(tmp, "nan_out.csv")
    r = subprocess.run([BIN, "explain", "--model", js, "--data", nan_csv, "--out", o],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "feature 2 (0-based), is missing" in r.stderr and
          not os.path.exists(o), "cli NaN row: exit %d, %r" % (r.returncode, r.stderr))
    # a HistGradientBoosting category of 256 or more (scikit-learn would wrap it)
    est = ensemble.HistGradientBoostingClassifier(max_iter=3, categorical_features=[3])
    est.fit(Xh, yh)
    r, js = export(est, tmp, "hcat")
    bad = np.nan_to_num(Xh[:2].copy())
    bad[0, 3] = 300
    d = dump(js, bad, None, tmp)
    check(d["rc"] == 1 and d["error"] and "categories 0 to 255" in d["error"],
          "category 300: %r" % d)


with tempfile.TemporaryDirectory() as tmp:
    for name, est, kind in CASES:
        X, y = data(kind)
        run_case(name, est, X, y, tmp)
    check(coverage["inf"] > 0, "no HistGradientBoosting split on missing values (+inf)")
    refusals(tmp)

print("sklearn_test: %d failure(s)" % failures)
sys.exit(1 if failures else 0)
