#!/usr/bin/python3
"""True group rates of the synthetic credit dataset, in closed form.

An independent oracle for datasets/synth.c: it restates the generating
process documented in datasets/SYNTH.md (not the C code) and derives each
group's base rate, selection rate, TPR and FPR. Given (label y, race r,
sex s) every model feature is an independent Gaussian, so the logistic
model's margin eta is Gaussian with mean M(y,r,s) and variance V, and
P(pred = 1 | y, r, s) = Phi(M / sqrt(V)). Group rates are mixtures of these.

  synth_truth.py                 print the table for SYNTH.md
  synth_truth.py --check D.csv   count the rates in D.csv and compare; exit 1
                                 when a rate is further than 4.5 standard
                                 errors (+0.002 for the rounding of the
                                 features to their stated precision) away
"""
import csv
import math
import sys

P_FEMALE = 0.45
RACES = ["White", "Black", "Hispanic", "Asian"]
P_RACE = {"White": 0.60, "Black": 0.18, "Hispanic": 0.14, "Asian": 0.08}
BASE = {"White": 0.72, "Black": 0.64, "Hispanic": 0.67, "Asian": 0.74}
ZIP = {"White": 0.4, "Black": -0.9, "Hispanic": -0.5, "Asian": 0.2}
# model: intercept + sum coef * (x - mean) / scale
INTERCEPT = 0.55
MODEL = {  # feature: (coef, mean, scale)
    "age": (0.0, 45.5, 14.4),
    "income_k": (0.55, 55.0, 17.0),
    "credit_score": (0.95, 670.0, 65.0),
    "debt_ratio": (-0.70, 0.35, 0.11),
    "loan_amount_k": (-0.20, 22.0, 8.0),
    "zip_score": (0.45, 0.1, 1.0),
}


def feature_dist(y, r, s):
    """(mean, sd) of each Gaussian feature given label y, race r, sex s."""
    female = 1 if s == "female" else 0
    return {
        "income_k": (48.0 + 14.0 * y - 8.0 * female, 15.0),
        "credit_score": (640.0 + 55.0 * y, 60.0),
        "debt_ratio": (0.40 - 0.08 * y, 0.10),
        "loan_amount_k": (22.0, 8.0),
        "zip_score": (ZIP[r], 1.0),
    }


def phi(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def p_select(y, r, s):
    m, v = INTERCEPT, 0.0
    for f, (mu, sd) in feature_dist(y, r, s).items():
        coef, mean, scale = MODEL[f]
        m += coef * (mu - mean) / scale
        v += (coef * sd / scale) ** 2
    return phi(m / math.sqrt(v))


def cells():
    """(weight, y, r, s) over the whole population."""
    for r in RACES:
        for s, ps in (("female", P_FEMALE), ("male", 1 - P_FEMALE)):
            for y, py in ((1, BASE[r]), (0, 1 - BASE[r])):
                yield P_RACE[r] * ps * py, y, r, s


def rates(attr, group):
    def keep(r, s):
        return group is None or (r if attr == "race" else s) == group

    n = pos = sel = tp = fp = 0.0
    for w, y, r, s in cells():
        if not keep(r, s):
            continue
        p = p_select(y, r, s)
        n += w
        sel += w * p
        if y:
            pos += w
            tp += w * p
        else:
            fp += w * p
    return {"base_rate": pos / n, "selection_rate": sel / n,
            "tpr": tp / pos, "fpr": fp / (n - pos), "share": n}


GROUPS = [("race", g) for g in RACES] + [("sex", "female"), ("sex", "male")] + [(None, None)]


def table():
    print("| attribute | group | share | base_rate | selection_rate | tpr | fpr |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for attr, g in GROUPS:
        t = rates(attr, g)
        print("| %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f |" % (
            attr or "all", g or "all", t["share"], t["base_rate"],
            t["selection_rate"], t["tpr"], t["fpr"]))


def check(path):
    counts = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            y, p = int(float(row["label"])), int(float(row["pred"]))
            for key in (("race", row["race"]), ("sex", row["sex"]), (None, None)):
                c = counts.setdefault(key, [0, 0, 0, 0, 0])  # n, pos, sel, tp, fp
                c[0] += 1
                c[1] += y
                c[2] += p
                c[3] += y and p
                c[4] += (not y) and p
    total = counts[(None, None)][0]
    bad = 0
    for attr, g in GROUPS:
        n, pos, sel, tp, fp = counts[(attr, g)]
        truth = rates(attr, g)
        measured = {"share": n / total, "base_rate": pos / n, "selection_rate": sel / n,
                    "tpr": tp / pos, "fpr": fp / (n - pos)}
        denom = {"share": total, "base_rate": n, "selection_rate": n, "tpr": pos,
                 "fpr": n - pos}
        for k, v in measured.items():
            t = truth[k]
            se = math.sqrt(t * (1 - t) / denom[k])
            ok = abs(v - t) <= 4.5 * se + 0.002
            bad += not ok
            print("%-5s %-9s %-15s true %.4f measured %.4f  |diff| %.4f  tol %.4f  %s" % (
                attr or "all", g or "all", k, t, v, abs(v - t), 4.5 * se + 0.002,
                "ok" if ok else "FAIL"))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    table()
