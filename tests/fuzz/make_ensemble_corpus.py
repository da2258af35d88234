#!/usr/bin/python3
"""Write the seed corpus of ensemble_fuzz (tests/fuzz/corpus/ensemble/):
small models of every family exported by tools/candor-export-sklearn
(scikit-learn 1.2, fixed seeds), plus hand-made documents that exercise the
reader's rules (categorical splits with missing values, "inf" thresholds,
a lone leaf). Run from the source root: tests/fuzz/make_ensemble_corpus.py
"""
import json
import os
import pickle
import subprocess
import tempfile

import numpy as np
from sklearn import ensemble, tree

OUT = "tests/fuzz/corpus/ensemble"
os.makedirs(OUT, exist_ok=True)
rng = np.random.RandomState(3)
X = np.c_[rng.randn(60), rng.rand(60), rng.randint(0, 5, 60).astype(float)]
y = (X[:, 0] + X[:, 2] > 1.5).astype(int)
y3 = np.digitize(X[:, 0] + X[:, 2], [1, 2.5])
Xn = X.copy()
Xn[::7, 0] = np.nan
models = {
    "dt_classifier": (tree.DecisionTreeClassifier(max_depth=2, random_state=0), X, y),
    "rf_regressor": (ensemble.RandomForestRegressor(n_estimators=2, max_depth=2,
                                                    random_state=0), X, X[:, 0]),
    "gb_classifier_3": (ensemble.GradientBoostingClassifier(n_estimators=2, max_depth=1,
                                                            random_state=0), X, y3),
    "gb_regressor": (ensemble.GradientBoostingRegressor(n_estimators=2, max_depth=2,
                                                        random_state=0), X, X[:, 1]),
    "hgb_categorical": (ensemble.HistGradientBoostingClassifier(
        max_iter=2, max_depth=2, categorical_features=[2], random_state=0), Xn, y),
    "hgb_poisson": (ensemble.HistGradientBoostingRegressor(
        loss="poisson", max_iter=2, max_depth=2, random_state=0), Xn, np.exp(X[:, 1])),
}
with tempfile.TemporaryDirectory() as tmp:
    for name, (est, Xf, yf) in models.items():
        est.fit(Xf, yf)
        pk = os.path.join(tmp, name + ".pkl")
        with open(pk, "wb") as f:
            pickle.dump(est, f)
        subprocess.run(["tools/candor-export-sklearn", pk, os.path.join(OUT, name + ".json")],
                       check=True)

hand = {
    "lone_leaf": {"format": "candor-tree-ensemble", "version": 1, "features": ["a"],
                  "outputs": 1, "transform": "identity", "output_kind": "value",
                  "decision": "sklearn_tree", "base": [0.5],
                  "trees": [{"output": 0, "left": [-1], "right": [-1], "feature": [-1],
                             "threshold": [None], "value": [1.5], "cover": [3]}]},
    "hist_inf_cat": {"format": "candor-tree-ensemble", "version": 1, "features": ["a", "b"],
                     "outputs": 1, "transform": "sigmoid", "output_kind": "probability",
                     "decision": "sklearn_hist", "base": [-0.25],
                     "known_categories": [None, [0, 3, 40, 255]],
                     "trees": [{"output": 0, "scale": 0.5, "left": [1, -1, 3, -1, -1],
                                "right": [2, -1, 4, -1, -1], "feature": [0, -1, 1, -1, -1],
                                "threshold": ["inf", None, None, None, None],
                                "value": [None, 1, None, -2, 3], "cover": [10, 4, 6, 5, 1],
                                "missing_left": [False, False, True, False, False],
                                "categories": [None, None, [3, 255], None, None]}]},
}
for name, doc in hand.items():
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
