#!/usr/bin/python3
"""logistic_cmd.py MODEL.json TIMES.txt - the bench's --model-cmd predictor:
the same logistic model as the JSON file, in numpy, speaking the protocol of
docs/explain.md with a numeric-only fast parser. At exit it writes to
TIMES.txt the seconds spent computing predictions (excluding reading,
parsing and writing), the number of requests and of rows, so the bench can
separate protocol overhead."""
import json
import os
import sys
import time

# One BLAS thread: OpenBLAS's idle workers spin (sched_yield) between
# requests and would compete with candor for the cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

model = json.load(open(sys.argv[1]))
coef = np.array(model["coef"]) / np.array(model["scale"])
icpt = model["intercept"] - float(coef @ np.array(model["mean"]))
inp, out = sys.stdin.buffer, sys.stdout
assert inp.readline().strip() == b"candor-model-cmd 1"
header = inp.readline().decode().strip().split(",")
assert header == model["features"], header
out.write("ok 1 probability\n")
out.flush()
compute = 0.0
requests = rows = 0
while True:
    line = inp.readline()
    if not line:
        break
    n = int(line.split()[1])
    requests += 1
    rows += n
    buf = b"".join(inp.readline() for _ in range(n))
    x = np.array(buf.replace(b"\n", b",").split(b",")[:-1], dtype=float).reshape(n, len(coef))
    t0 = time.perf_counter()
    p = 1 / (1 + np.exp(-(x @ coef + icpt)))
    compute += time.perf_counter() - t0
    out.write("\n".join(map(repr, p.tolist())) + "\n")
    out.flush()
open(sys.argv[2], "w").write("%.6f %d %d\n" % (compute, requests, rows))
