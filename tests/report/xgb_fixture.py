#!/usr/bin/python3
"""xgb_fixture.py DATA.csv OUT.json - train a small XGBoost binary:logistic
credit model on `candor datasets synth --kind credit` data and save it with
Booster.save_model (the file `candor audit --model` reads). Run at test time
by test_audit_models.py; the seed is fixed. Importable: features(),
read_features() and the FEATURES list are shared with the test, which asks
XGBoost itself (pred_contribs, output_margin) for the oracle values."""
import csv
import sys

import numpy as np
import xgboost as xgb

FEATURES = ["age", "income_k", "credit_score", "debt_ratio", "loan_amount_k", "zip_score"]


def read_features(path):
    """The model's feature matrix (float64, as the CSV has it) and the label."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([float(r["label"]) for r in rows])
    return X, y


def dmatrix(X, y=None):
    return xgb.DMatrix(X, label=y, feature_names=FEATURES)


def train(data, out):
    X, y = read_features(data)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 7,
              "nthread": 1, "base_score": 0.4}
    booster = xgb.train(params, dmatrix(X, y), num_boost_round=25)
    booster.save_model(out)
    return booster


if __name__ == "__main__":
    train(sys.argv[1], sys.argv[2])
