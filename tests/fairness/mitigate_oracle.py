#!/usr/bin/python3
"""mitigate_oracle.py - `candor mitigate` against an independent linear
program and an independent application of its rule.

For every constraint (demographic parity, equalized odds, equal
opportunity, none, and a policy file) and both objectives (accuracy,
balanced accuracy), on generated data (several groups, ties in the scores,
one tiny group), on a two-group case whose equalized-odds optimum is a
crossing of the hulls (at no group's vertex), and on UCI Adult with a score
from a scikit-learn logistic regression fitted here (by sex, and by
sex&race):

1. The optimum. numpy computes each group's ROC points of the rules
   "score >= t" (t = each distinct score, and +inf) from the raw rows, and
   scipy.optimize.linprog (HiGHS) maximises the objective over mixing
   weights on those points (variables = one weight per point per group,
   each group's weights summing to 1; the constraint as equalities between
   the groups' rates; for the policy, its checks as inequalities, encoded
   here from the check definitions, independently of candor's encoding).
   Every point of the convex hull is such a mixture and hull vertices are
   among the points, so this is the problem candor solves combinatorially.
   The optimum must agree to 1e-9 (HiGHS' feasibility tolerances are set to
   1e-10, the objective's coefficients are at most 1 and a basic solution
   mixes a few points, so the solver's error stays near 1e-10; candor's
   rounding is near 1e-15).
2. The rule. The JSON's per-group step function (thresholds and
   probabilities) is applied to the fitting rows here; the expected
   confusion counts must reproduce the promised tp/fp/tpr/fpr/selection
   rate and the promised accuracy to 1e-9, and satisfy the constraint
   exactly (to 1e-9); with the policy, every check must pass on those
   expected values. The fairlearn form (p0, threshold0, threshold1,
   p_ignore, prediction_constant) must give the same probabilities, and the
   groups come in order of first appearance.
3. Reweighing. The --reweigh-out column must equal the closed form
   n_g n_y / (n n_gy) per row (1e-12), and make the weighted base rates of
   all groups equal (1e-12).
4. The evaluation part. With --split, the fit and eval parts must add up
   to the data, the held-out share must be near the fraction, every part
   must carry before/after/expected, and the exit status must be 1 exactly
   when the eval part's constraint_holds is false.

usage: mitigate_oracle.py generated | adult
"generated" runs on data made here (always); "adult" on UCI Adult, and
exits 77 (skip) when ../shared/datasets (CANDOR_SHARED_DATASETS) lacks it.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import linprog

BIN = os.environ["CANDOR_BIN"]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def roc_points(score, label):
    """(fpr, tpr) of "score >= t" for t = +inf and every distinct score."""
    order = np.argsort(-score, kind="stable")
    s, y = score[order], label[order]
    P, N = y.sum(), len(y) - y.sum()
    ctp, cfp = np.cumsum(y), np.cumsum(1 - y)
    last = np.r_[s[1:] != s[:-1], True]  # last row of each run of equal scores
    tp = np.r_[0, ctp[last]]
    fp = np.r_[0, cfp[last]]
    return fp / N, tp / P


def first_appearance(group):
    seen = {}
    for g in group:
        seen.setdefault(g, len(seen))
    return list(seen)


def lp_optimum(score, label, group, constraint, objective, policy=None):
    groups = first_appearance(group)
    n = len(label)
    P, N = label.sum(), n - label.sum()
    pts, cols = [], 0
    for g in groups:
        m = group == g
        x, y = roc_points(score[m], label[m])
        Pg, Ng = label[m].sum(), m.sum() - label[m].sum()
        pts.append((x, y, Pg, Ng, cols))
        cols += len(x)
    c = np.zeros(cols)
    for (x, y, Pg, Ng, off) in pts:
        if objective == "accuracy":
            a, b = Pg / n, Ng / n
        else:
            a, b = Pg / (2 * P), Ng / (2 * N)
        c[off:off + len(x)] = -(a * y - b * x)
    const = N / n if objective == "accuracy" else 0.5
    A, rhs = [], []
    for (x, y, Pg, Ng, off) in pts:
        row = np.zeros(cols)
        row[off:off + len(x)] = 1
        A.append(row)
        rhs.append(1)

    def rate(k, which):
        x, y, Pg, Ng, off = pts[k]
        row = np.zeros(cols)
        if which == "tpr":
            row[off:off + len(x)] = y
        elif which == "fpr":
            row[off:off + len(x)] = x
        else:
            row[off:off + len(x)] = (Pg * y + Ng * x) / (Pg + Ng)
        return row

    which = {"demographic_parity": ["sr"], "equal_opportunity": ["tpr"],
             "equalized_odds": ["tpr", "fpr"], "none": [], "policy": []}[constraint]
    for w in which:
        for k in range(1, len(pts)):
            A.append(rate(k, w) - rate(0, w))
            rhs.append(0)
    ub = bub = None
    if policy is not None:
        sizes = [int((group == g).sum()) for g in groups]
        ub, bub, _ = policy_rows(pts, groups, sizes, policy)
        ub, bub = np.array(ub), np.array(bub)
    res = linprog(c, A_ub=ub, b_ub=bub, A_eq=np.array(A), b_eq=np.array(rhs), bounds=(0, None),
                  method="highs",
                  options={"primal_feasibility_tolerance": 1e-10,
                           "dual_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    return -res.fun + const


POLICY = {"checks": [
    {"metric": "selection_rate", "min_ratio": 0.9},
    {"metric": "tpr", "max_difference": 0.04, "min": 0.3},
    {"metric": "fpr", "max": 0.6},
    {"metric": "disparate_impact", "min": 0.85, "max": 1.1},
    {"metric": "equalized_odds_difference", "max": 0.12},
    {"metric": "average_odds_difference", "min": -0.05},
    {"metric": "equal_opportunity_difference", "max": 0.03}]}
LINEAR = {"selection_rate", "tpr", "fpr"}


def policy_rows(pts, order, sizes, policy, min_size=30):
    """The policy's checks as linear rows over the mixing weights, written
    from the check definitions in docs/fairness.md and docs/mitigation.md
    (reference = the largest group, first on ties; group checks skip groups
    under min_group_size; summaries use every group; AIF360's union u of the
    non-reference groups)."""
    cols = sum(len(p[0]) for p in pts)
    ref = max(range(len(order)), key=lambda k: (sizes[k], -k))

    def rate(k, which):
        x, y, Pg, Ng, off = pts[k]
        row = np.zeros(cols)
        row[off:off + len(x)] = {"tpr": y, "fpr": x, "selection_rate": (Pg * y + Ng * x) / (Pg + Ng)}[which]
        return row

    def union(which):
        row, den = np.zeros(cols), 0.0
        for k, (x, y, Pg, Ng, off) in enumerate(pts):
            if k == ref:
                continue
            w = {"tpr": Pg, "fpr": Ng, "selection_rate": Pg + Ng}[which]
            row += rate(k, which) * w
            den += w
        return row / den

    ub, bub = [], []  # A_ub x <= b_ub

    def le(row, b):
        ub.append(row)
        bub.append(b)
    G = len(order)
    for c in policy["checks"]:
        m = c["metric"]
        if m in LINEAR:
            for k in range(G):
                if sizes[k] < min_size:
                    continue
                if "min" in c:
                    le(-rate(k, m), -c["min"])
                if "max" in c:
                    le(rate(k, m), c["max"])
                if k == ref:
                    continue
                if "max_difference" in c:
                    le(rate(k, m) - rate(ref, m), c["max_difference"])
                    le(rate(ref, m) - rate(k, m), c["max_difference"])
                if "min_ratio" in c:
                    le(c["min_ratio"] * rate(ref, m) - rate(k, m), 0)
        elif m == "disparate_impact":
            if "min" in c:
                le(c["min"] * rate(ref, "selection_rate") - union("selection_rate"), 0)
            if "max" in c:
                le(union("selection_rate") - c["max"] * rate(ref, "selection_rate"), 0)
        elif m == "equalized_odds_difference":
            for w in ("tpr", "fpr"):
                for i in range(G):
                    for j in range(G):
                        if i != j:
                            le(rate(i, w) - rate(j, w), c["max"])
        elif m == "average_odds_difference":
            row = 0.5 * (union("tpr") - rate(ref, "tpr") + union("fpr") - rate(ref, "fpr"))
            if "min" in c:
                le(-row, -c["min"])
            if "max" in c:
                le(row, c["max"])
        elif m == "equal_opportunity_difference":
            row = union("tpr") - rate(ref, "tpr")
            if "min" in c:
                le(-row, -c["min"])
            if "max" in c:
                le(row, c["max"])
        else:
            raise ValueError(m)
    return ub, bub, ref


def policy_holds(rates, order, sizes, policy, ref, min_size=30, tol=1e-9):
    """Evaluate the checks on the applied rule's expected rates."""
    bad = []
    G = len(order)

    def u(which):
        w = {"tpr": "P", "fpr": "N", "selection_rate": "n"}[which]
        return (sum(rates[k][which] * rates[k][w] for k in range(G) if k != ref) /
                sum(rates[k][w] for k in range(G) if k != ref))
    for c in policy["checks"]:
        m = c["metric"]
        if m in LINEAR:
            for k in range(G):
                if sizes[k] < min_size:
                    continue
                v = rates[k][m]
                if "min" in c and v < c["min"] - tol:
                    bad.append((m, "min", order[k], v))
                if "max" in c and v > c["max"] + tol:
                    bad.append((m, "max", order[k], v))
                if k != ref and "max_difference" in c and abs(v - rates[ref][m]) > c["max_difference"] + tol:
                    bad.append((m, "max_difference", order[k], v))
                if k != ref and "min_ratio" in c and v < c["min_ratio"] * rates[ref][m] - tol:
                    bad.append((m, "min_ratio", order[k], v))
        elif m == "disparate_impact":
            di = u("selection_rate") / rates[ref]["selection_rate"]
            if di < c.get("min", -1e9) - tol or di > c.get("max", 1e9) + tol:
                bad.append((m, di))
        elif m == "equalized_odds_difference":
            for w in ("tpr", "fpr"):
                v = [r[w] for r in rates]
                if max(v) - min(v) > c["max"] + tol:
                    bad.append((m, w))
        elif m == "average_odds_difference":
            v = 0.5 * (u("tpr") - rates[ref]["tpr"] + u("fpr") - rates[ref]["fpr"])
            if v < c.get("min", -1e9) - tol or v > c.get("max", 1e9) + tol:
                bad.append((m, v))
        elif m == "equal_opportunity_difference":
            v = u("tpr") - rates[ref]["tpr"]
            if v < c.get("min", -1e9) - tol or v > c.get("max", 1e9) + tol:
                bad.append((m, v))
    return bad


def step_prob(rule, s):
    t = np.asarray(rule["thresholds"], dtype=float)
    p = np.asarray(rule["probabilities"], dtype=float)
    return p[np.searchsorted(t, s, side="right")] if len(t) else np.full(len(s), p[0])


def fairlearn_prob(rule, s):
    f = rule["interpolation"]

    def op(key):
        t = f[key]
        if t is None:
            return np.zeros(len(s)) if "no row" in f[key + "_reason"] else np.ones(len(s))
        return (s >= t).astype(float)
    base = f["p0"] * op("threshold0") + f["p1"] * op("threshold1")
    return f["p_ignore"] * f["prediction_constant"] + (1 - f["p_ignore"]) * base


def write_csv(path, cols):
    names = list(cols)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(len(cols[names[0]])):
            w.writerow([repr(float(cols[k][i])) if isinstance(cols[k][i], (float, np.floating))
                        else cols[k][i] for k in names])


def run(args):
    p = subprocess.run([BIN, "mitigate"] + args, capture_output=True, text=True)
    return p.returncode, p.stderr


def check(name, tmp, score, label, group, sens_cols, data_cols):
    data = os.path.join(tmp, name + ".csv")
    write_csv(data, data_cols)
    names = np.array(group)
    pol = os.path.join(tmp, "policy.json")
    json.dump(POLICY, open(pol, "w"))
    order = first_appearance(group)
    sizes = [int((names == g).sum()) for g in order]
    for constraint in ["demographic_parity", "equalized_odds", "equal_opportunity", "none",
                       "policy"]:
        for objective in ["accuracy", "balanced_accuracy"]:
            out = os.path.join(tmp, "%s_%s_%s.json" % (name, constraint, objective))
            w = os.path.join(tmp, name + "_w.csv")
            extra = ["--policy", pol] if constraint == "policy" else []
            rc, err = run(["--data", data, "--label", "label", "--score", "score",
                           "--sensitive", sens_cols, "--constraint", constraint,
                           "--objective", objective, "--json", out, "--reweigh-out", w] + extra)
            tag = "%s %s %s" % (name, constraint, objective)
            if rc != 0:
                fail("%s: exit %d: %s" % (tag, rc, err))
                continue
            r = json.load(open(out), parse_constant=lambda c: sys.exit("non-JSON " + c))
            want = lp_optimum(score, label, names, constraint, objective,
                              POLICY if constraint == "policy" else None)
            got = r["rule"]["objective_value"]
            if abs(got - want) > 1e-9:
                fail("%s: optimum %.15g, linprog %.15g" % (tag, got, want))
            # the rule, applied here
            tot_tp = tot_tn = 0.0
            rates = []
            for gr in r["rule"]["groups"]:
                m = names == gr["group"]
                q = step_prob(gr, score[m])
                q2 = fairlearn_prob(gr, score[m])
                if np.max(np.abs(q - q2)) > 1e-12:
                    fail("%s: %s: step and fairlearn forms differ" % (tag, gr["group"]))
                y = label[m]
                tp, fp = float(q[y == 1].sum()), float(q[y == 0].sum())
                P, N = y.sum(), len(y) - y.sum()
                exp = {"tp": tp, "fp": fp, "tpr": tp / P, "fpr": fp / N,
                       "selection_rate": (tp + fp) / len(y)}
                for k, v in list(exp.items()):
                    if abs(gr[k] - v) > 1e-9 * max(1.0, abs(v)):
                        fail("%s: %s: %s promised %.15g, applied %.15g" %
                             (tag, gr["group"], k, gr[k], v))
                tot_tp += tp
                tot_tn += N - fp
                exp.update({"P": P, "N": N, "n": len(y)})
                rates.append(exp)
            if [g["group"] for g in r["rule"]["groups"]] != order:
                fail("%s: groups not in order of first appearance" % tag)
            if constraint == "policy":
                ref = max(range(len(order)), key=lambda k: (sizes[k], -k))
                bad = policy_holds(rates, order, sizes, POLICY, ref)
                if bad:
                    fail("%s: the applied rule fails the policy: %s" % (tag, bad))
            acc = (tot_tp + tot_tn) / len(label)
            if abs(r["rule"]["accuracy"] - acc) > 1e-9:
                fail("%s: accuracy promised %.15g, applied %.15g" % (tag, r["rule"]["accuracy"], acc))
            if abs(r["fit"]["expected"]["accuracy"] - acc) > 1e-9:
                fail("%s: fit expected accuracy %.15g, applied %.15g" %
                     (tag, r["fit"]["expected"]["accuracy"], acc))
            keys = {"demographic_parity": ["selection_rate"], "equal_opportunity": ["tpr"],
                    "equalized_odds": ["tpr", "fpr"], "none": [], "policy": []}[constraint]
            for k in keys:
                v = [e[k] for e in rates]
                if max(v) - min(v) > 1e-9:
                    fail("%s: %s differs across groups by %.3g" % (tag, k, max(v) - min(v)))
            # reweighing
            wts = np.loadtxt(w, skiprows=1, ndmin=1)
            n = len(label)
            closed = np.empty(n)
            for g in set(group):
                m = names == g
                for yv in (0, 1):
                    c = m & (label == yv)
                    closed[c] = m.sum() * (label == yv).sum() / (n * c.sum())
            if np.max(np.abs(wts - closed)) > 1e-12:
                fail("%s: reweighing weights differ from the closed form" % tag)
            wb = [np.sum(wts[names == g] * label[names == g]) / np.sum(wts[names == g])
                  for g in set(group)]
            if max(wb) - min(wb) > 1e-12 or abs(wb[0] - label.mean()) > 1e-12:
                fail("%s: weighted base rates not equal: %s" % (tag, wb))
            if r["fit"]["reweighing"]["weighted_base_rate_difference"] > 1e-12:
                fail("%s: JSON weighted base rate difference" % tag)
            br = [label[names == g].mean() for g in order]
            if abs(r["fit"]["reweighing"]["base_rate_difference"] - (max(br) - min(br))) > 1e-12:
                fail("%s: JSON base rate difference" % tag)
            for gb in r["fit"]["reweighing"]["groups"]:
                if abs(gb["weighted_base_rate"] - label.mean()) > 1e-12:
                    fail("%s: JSON weighted base rate %s" % (tag, gb))
    return data


def generated(tmp):
    rng = np.random.default_rng(20260218)
    n = 6000
    g = rng.choice(["a", "b", "c", "d"], size=n, p=[0.45, 0.3, 0.2, 0.05])
    shift = {"a": 0.8, "b": 0.2, "c": -0.4, "d": 0.0}
    y = (rng.random(n) < np.array([{"a": .5, "b": .35, "c": .3, "d": .6}[v] for v in g])).astype(int)
    raw = y * 1.1 + np.array([shift[v] for v in g]) + rng.normal(size=n)
    score = np.round(1 / (1 + np.exp(-raw)), 2)  # ties: 2 decimals
    # a tiny group with a handful of rows
    g[:12] = "e"
    y[:12] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1]
    data = check("gen", tmp, score, y, g, "grp",
                 {"grp": list(g), "label": list(y), "score": list(score)})
    # split: fit n + eval n = all rows; eval expected values follow the rule
    out = os.path.join(tmp, "split.json")
    rc, err = run(["--data", data, "--label", "label", "--score", "score", "--sensitive", "grp",
                   "--constraint", "demographic_parity", "--split", "0.3", "--seed", "7",
                   "--json", out])
    if rc not in (0, 1):
        fail("split run exit %d: %s" % (rc, err))
    else:
        r = json.load(open(out))
        if r["fit"]["n"] + r["eval"]["n"] != n or not (0.25 < r["eval"]["n"] / n < 0.35):
            fail("split sizes %d + %d" % (r["fit"]["n"], r["eval"]["n"]))
        if (rc == 1) == r["eval"]["constraint_holds"]:
            fail("exit status %d disagrees with constraint_holds" % rc)
        for part in ("fit", "eval"):
            for k in ("before", "after", "expected", "constraint_holds", "reweighing"):
                if k not in r[part]:
                    fail("split: %s lacks %s" % (part, k))
            if r[part]["before"]["n"] != r[part]["n"] or r[part]["after"]["n"] != r[part]["n"]:
                fail("split: %s before/after n" % part)


def crossing(tmp):
    """Two groups whose upper hulls cross strictly between their vertices:
    a: (0,0) (0.1,0.6) (1,1); b: (0,0) (0.5,0.95) (1,1). For accuracy
    (25 positives, 20 negatives, objective 25 tpr - 20 fpr) the envelope's
    slope falls from 1.9 to 0.44 across 0.8 at the crossing x = 0.3817...,
    so the equalized-odds optimum is there, at no group's vertex."""
    rows = ([("a", 1, 0.9)] * 3 + [("a", 0, 0.9)] + [("a", 1, 0.1)] * 2 + [("a", 0, 0.1)] * 9 +
            [("b", 1, 0.8)] * 19 + [("b", 0, 0.8)] * 5 + [("b", 1, 0.2)] + [("b", 0, 0.2)] * 5)
    g = [r[0] for r in rows]
    y = np.array([r[1] for r in rows])
    s = np.array([r[2] for r in rows])
    check("cross", tmp, s, y, g, "grp", {"grp": g, "label": list(y), "score": list(s)})


def adult(tmp):
    root = os.environ.get("CANDOR_SHARED_DATASETS", "")
    path = os.path.join(root, "adult.csv")
    if not root or not os.path.exists(path):
        print("skip: no adult.csv under CANDOR_SHARED_DATASETS")
        sys.exit(77)
    from sklearn.linear_model import LogisticRegression
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    feats = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    X = np.array([[float(r[f]) for f in feats] for r in rows])
    y = np.array([int(r["income_gt_50k"]) for r in rows])
    X = (X - X.mean(0)) / X.std(0)
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    score = np.round(lr.predict_proba(X)[:, 1], 6)
    sex = [r["sex"] for r in rows]
    race = [r["race"] for r in rows]
    check("adult_sex", tmp, score, y, sex, "sex", {"sex": sex, "label": list(y), "score": list(score)})
    both = [a + "&" + b for a, b in zip(sex, race)]
    check("adult_sexrace", tmp, score, y, both, "sex,race",
          {"sex": sex, "race": race, "label": list(y), "score": list(score)})


with tempfile.TemporaryDirectory() as tmp:
    if sys.argv[1:] == ["adult"]:
        adult(tmp)
    else:
        generated(tmp)
        crossing(tmp)
print("%d failure(s)" % fails)
sys.exit(1 if fails else 0)
