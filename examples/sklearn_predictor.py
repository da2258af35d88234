#!/usr/bin/python3
"""sklearn_predictor.py - a scikit-learn pipeline behind candor's --model-cmd.

    candor explain --model-cmd '/usr/bin/python3 examples/sklearn_predictor.py \
                   --train credit.csv --label label' \
                   --data credit.csv --features age,income_k,credit_score,sex,purpose \
                   --method kernel --rows 0:20 --out shap.csv

At the handshake it learns the feature names from candor, then fits a
Pipeline(ColumnTransformer(OneHotEncoder for text columns, StandardScaler for
numeric ones), LogisticRegression) on those columns of the training CSV, and
answers each batch with predict_proba (K = 1, the positive class). Text
columns arrive as their original strings, exactly as in the CSV.
"""
import argparse
import os
import sys

# One BLAS thread: between requests OpenBLAS's idle workers spin and would
# compete with candor for the cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import candor_protocol  # noqa: E402


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def to_matrix(rows, numeric):
    """Rows of strings to an object array: floats (NaN for empty) or strings."""
    x = np.empty((len(rows), len(numeric)), dtype=object)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            x[i, j] = (float(v) if v != "" else np.nan) if numeric[j] else v
    return x


def train(train_csv, label, features):
    """Fit the pipeline on `features` of the training CSV; returns (pipe, numeric)."""
    header, rows = candor_protocol.read_csv_rows(train_csv)
    missing = [f for f in features + [label] if f not in header]
    if missing:
        raise ValueError("training data lacks column(s) %s" % ",".join(missing))
    idx = [header.index(f) for f in features]
    cols = [[r[i] for i in idx] for r in rows]
    numeric = [all(_is_number(r[j]) for r in cols if r[j] != "") for j in range(len(features))]
    x = to_matrix(cols, numeric)
    y = np.array([int(float(r[header.index(label)])) for r in rows])
    pre = ColumnTransformer([
        ("num", StandardScaler(), [j for j in range(len(features)) if numeric[j]]),
        ("cat", OneHotEncoder(handle_unknown="ignore"),
         [j for j in range(len(features)) if not numeric[j]]),
    ])
    pipe = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))])
    pipe.fit(x, y)
    return pipe, numeric


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True, help="training CSV (with the label column)")
    ap.add_argument("--label", default="label", help="0/1 label column (default: label)")
    a = ap.parse_args()
    state = {}

    def setup(header):
        state["pipe"], state["numeric"] = train(a.train, a.label, header)

    def predict(header, rows):
        return state["pipe"].predict_proba(to_matrix(rows, state["numeric"]))[:, 1]

    candor_protocol.serve(predict, 1, "probability", setup)


if __name__ == "__main__":
    main()
