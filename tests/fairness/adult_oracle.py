#!/usr/bin/python3
"""adult_oracle.py - `candor fairness` on UCI Adult against an independent
numpy / scikit-learn computation.

The Adult data has no model, so this script derives a decision and a score
from documented rules (below), writes them next to the data, runs
`candor fairness` on the result, and recomputes everything from the raw
file with Python's csv module, numpy and scikit-learn: per-group confusion
counts (exact), every count metric, auc (sklearn.metrics.roc_auc_score),
brier (brier_score_loss), ece (10 equal-width bins, numpy), the fairlearn
summaries (max - min, min / max across groups), the AIF360 ones (the
reference against the union of the other groups), the Theil index with
AIF360's own expression, and the two-proportion z test.

Exit 77 (skip) when the shared datasets folder is absent.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

root = os.environ.get("CANDOR_SHARED_DATASETS", "")
path = os.path.join(root, "adult.csv")
if not root or not os.path.exists(path):
    print("skip: no adult.csv under CANDOR_SHARED_DATASETS")
    sys.exit(77)
BIN = os.environ["CANDOR_BIN"]

with open(path, newline="") as f:
    rows = list(csv.DictReader(f))


def decision(r):
    # the documented rule: favourable (">50K") for degree holders working
    # full time, or anyone with capital gains of 5000 or more
    return (int(r["education_num"]) >= 13 and int(r["hours_per_week"]) >= 40) or \
        int(r["capital_gain"]) >= 5000


def score(r):
    eta = (0.4 * (int(r["education_num"]) - 10) + 0.03 * (int(r["hours_per_week"]) - 40)
           + 0.0002 * int(r["capital_gain"]) + 0.02 * (int(r["age"]) - 38) - 0.5)
    return round(1 / (1 + math.exp(-eta)), 3)  # 3 decimals: many ties


tmp = tempfile.mkdtemp()
data = os.path.join(tmp, "adult_pred.csv")
with open(data, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["sex", "race", "income", "pred", "score"])
    for r in rows:
        w.writerow([r["sex"], r["race"], r["income"], ">50K" if decision(r) else "<=50K",
                    repr(score(r))])

out = os.path.join(tmp, "r.json")
cmd = [BIN, "fairness", "--data", data, "--label", "income", "--pred", "pred",
       "--score", "score", "--favorable", ">50K", "--sensitive", "sex,race", "--intersect",
       "--json", out, "--quiet"]
p = subprocess.run(cmd, capture_output=True, text=True)
if p.returncode != 0:
    sys.exit("candor failed (%d): %s" % (p.returncode, p.stderr))
res = json.load(open(out))

y = np.array([r["income"] == ">50K" for r in rows], dtype=np.int64)
yp = np.array([decision(r) for r in rows], dtype=np.int64)
s = np.array([score(r) for r in rows])
attrs = {"sex": np.array([r["sex"] for r in rows]), "race": np.array([r["race"] for r in rows])}
attrs["sex&race"] = np.char.add(np.char.add(attrs["sex"], "&"), attrs["race"])
errors = []


def close(what, got, want, tol=1e-12):
    if want is None or (isinstance(want, float) and math.isnan(want)):
        if got is not None:
            errors.append("%s: %r, expected null" % (what, got))
    elif got is None or abs(got - want) > tol:
        errors.append("%s: %r, expected %r" % (what, got, want))


def div(a, b):
    return a / b if b else float("nan")


def metrics(m):
    tp = int(np.sum(m & (y == 1) & (yp == 1)))
    fp = int(np.sum(m & (y == 0) & (yp == 1)))
    tn = int(np.sum(m & (y == 0) & (yp == 0)))
    fn = int(np.sum(m & (y == 1) & (yp == 0)))
    n = tp + fp + tn + fn
    out = {"selection_rate": div(tp + fp, n), "base_rate": div(tp + fn, n),
           "tpr": div(tp, tp + fn), "fpr": div(fp, fp + tn), "tnr": div(tn, fp + tn),
           "fnr": div(fn, tp + fn), "ppv": div(tp, tp + fp), "npv": div(tn, tn + fn),
           "fdr": div(fp, tp + fp), "for": div(fn, tn + fn), "accuracy": div(tp + tn, n),
           "error_rate": div(fp + fn, n), "f1": div(2 * tp, 2 * tp + fp + fn)}
    yy, ss = y[m], s[m]
    out["auc"] = roc_auc_score(yy, ss) if 0 < yy.sum() < len(yy) else float("nan")
    out["brier"] = brier_score_loss(yy, ss)
    b = np.minimum((ss * 10).astype(int), 9)
    out["ece"] = sum(np.sum(b == k) / len(ss) * abs(yy[b == k].mean() - ss[b == k].mean())
                     for k in range(10) if np.any(b == k))
    out["mean_score"] = ss.mean()
    return (tp, fp, tn, fn), out


groups = {(g["attribute"], g["group"]): g for g in res["groups"]}
ncheck = 0
for a, col in attrs.items():
    levels = sorted(set(col))
    ref = max(levels, key=lambda l: (np.sum(col == l), -levels.index(l)))
    if res["reference"][a] != ref:
        errors.append("reference of %s: %s, expected %s" % (a, res["reference"][a], ref))
    per = {}
    for l in levels:
        counts, want = metrics(col == l)
        per[l] = (counts, want)
        g = groups.get((a, l))
        if g is None:
            errors.append("no group %s=%s" % (a, l))
            continue
        if (g["tp"], g["fp"], g["tn"], g["fn"]) != counts:
            errors.append("%s=%s counts %r, expected %r" % (a, l, (g["tp"], g["fp"], g["tn"], g["fn"]), counts))
        for k, v in want.items():
            close("%s=%s %s" % (a, l, k), g["metrics"][k]["value"], v)
            ncheck += 1
    # summaries
    def rng(k):
        v = [per[l][1][k] for l in levels if not math.isnan(per[l][1][k])]
        return max(v) - min(v), (min(v) / max(v) if max(v) > 0 else float("nan"))
    sr, tpr, fpr = rng("selection_rate"), rng("tpr"), rng("fpr")
    u = ~np.isin(col, [ref]) & np.isin(col, levels)
    _, um = metrics(u)
    rm = per[ref][1]
    want = {"demographic_parity_difference": sr[0], "demographic_parity_ratio": sr[1],
            "equalized_odds_difference": max(tpr[0], fpr[0]),
            "equalized_odds_ratio": min(tpr[1], fpr[1]),
            "equal_opportunity_difference": um["tpr"] - rm["tpr"],
            "average_odds_difference": 0.5 * ((um["fpr"] - rm["fpr"]) + (um["tpr"] - rm["tpr"])),
            "disparate_impact": um["selection_rate"] / rm["selection_rate"]}
    ben = yp - y + 1.0
    mu = ben.mean()
    want["theil_index"] = float(np.mean(np.log((ben / mu) ** ben) / mu))  # AIF360's expression
    for k, v in want.items():
        close("summary %s %s" % (a, k), res["summary_by_attribute"][a][k], v, 1e-12)
        ncheck += 1
    # disparities: difference, ratio and the z test of selection_rate
    for d in res["disparities"]:
        if d["attribute"] != a or d["metric"] != "selection_rate":
            continue
        (tp1, fp1, tn1, fn1), m1 = per[d["group"]]
        (tp2, fp2, tn2, fn2), m2 = per[ref]
        n1, n2 = tp1 + fp1 + tn1 + fn1, tp2 + fp2 + tn2 + fn2
        x1, x2 = tp1 + fp1, tp2 + fp2
        close("%s %s difference" % (a, d["group"]), d["difference"], m1["selection_rate"] - m2["selection_rate"])
        close("%s %s ratio" % (a, d["group"]), d["ratio"], m1["selection_rate"] / m2["selection_rate"])
        N, S = n1 + n2, x1 + x2
        emin = min(n1, n2) * min(S, N - S) / N
        if emin >= 5:
            pp = S / N
            z = (x1 / n1 - x2 / n2) / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
            close("%s %s p_value" % (a, d["group"]), d["p_value"], math.erfc(abs(z) / math.sqrt(2)), 1e-10)
            ncheck += 1

if errors:
    print("\n".join(errors[:40]))
    sys.exit(1)
print("adult: %d values agree with numpy/sklearn (%d rows)" % (ncheck, len(rows)))
