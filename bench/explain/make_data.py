#!/usr/bin/python3
"""make_data.py OUTDIR: a 12-feature logistic model (linear/logistic JSON of
DESIGN.md) and 2000 rows of data for bench/explain.sh, from a fixed seed;
also logistic_cmd.py's copy of the coefficients."""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(12)
m = 12
feats = ["f%02d" % j for j in range(m)]
mean = rng.normal(0, 3, m)
scale = rng.uniform(0.5, 4, m)
x = rng.normal(mean, scale, (2000, m))
model = {"kind": "logistic", "features": feats, "coef": list(rng.normal(0, 0.8, m)),
         "intercept": 0.3, "mean": list(mean), "scale": list(scale)}
json.dump(model, open(os.path.join(out, "logistic12.json"), "w"), indent=1)
with open(os.path.join(out, "data12.csv"), "w") as f:
    f.write(",".join(feats) + "\n")
    for row in x:
        f.write(",".join("%.6g" % v for v in row) + "\n")
