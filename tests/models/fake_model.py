#!/usr/bin/python3
"""A --model-cmd fixture for tests/models: speaks the candor-model-cmd/1
protocol (docs/explain.md) and misbehaves on request.

usage: fake_model.py MODE   with MODE one of
  ok        answer: out0 = num + 10 * len(cat), out1 = 0.25 (K = 2, value)
  crash     exit with status 3 on the first predict request
  garbage   answer each row with "abc"
  stall     never answer a predict request
  early     exit on the first predict header without reading the rows
  error     answer "error boom" to the first predict request
  badhello  answer the handshake with "hello"
"""
import csv
import sys
import time

mode = sys.argv[1]
inp = sys.stdin
out = sys.stdout

if inp.readline().strip() != "candor-model-cmd 1":
    sys.exit(2)
header = next(csv.reader([inp.readline()]))
if mode == "badhello":
    out.write("hello\n")
    out.flush()
    sys.exit(0)
out.write("ok 2 value\n")
out.flush()
inum = header.index("num")
icat = header.index("cat")
while True:
    line = inp.readline()
    if not line:
        break
    n = int(line.split()[1])
    if mode == "crash":
        sys.exit(3)
    if mode == "early":
        sys.exit(0)
    if mode == "stall":
        time.sleep(3600)
    rows = [inp.readline() for _ in range(n)]
    if mode == "error":
        out.write("error boom\n")
        out.flush()
        continue
    res = []
    for r in csv.reader(rows):
        if mode == "garbage":
            res.append("abc")
            continue
        num = float(r[inum]) if r[inum] != "" else 0.0
        res.append("%r,%r" % (num + 10 * len(r[icat]), 0.25))
    out.write("\n".join(res) + "\n")
    out.flush()
