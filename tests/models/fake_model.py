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
  extra     answer line by line (one write each, 20 ms apart), then wait
            0.2 s and send one more line "1,1"
  extralate on the second request only: answer, then 20 ms later send "1,1"
  extrabytes  follow each answer with "7" (no newline) in the same write
  prob15    declare "ok 1 probability"; answer 0.5, but 1.5 for row 2
  negprob   declare "ok 1 probability"; answer 0.5, but -0.2 for row 2
  nan       answer "nan,0.25" for row 2
  big       answer "1e400,0.25" for row 2
  nonewline answer with digits and no newline, 64 KiB at a time, up to
            64 MiB, then stall
  trickle   answer correctly, one byte every 0.3 s
  forkexit  on the first predict request, fork a child that holds stdout
            for 60 s, and exit with status 4
"""
import csv
import os
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
prob = mode in ("prob15", "negprob")
out.write("ok 1 probability\n" if prob else "ok 2 value\n")
out.flush()
inum = header.index("num")
icat = header.index("cat")
nreq = 0
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
    if mode == "forkexit":
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        os._exit(4)
    rows = [inp.readline() for _ in range(n)]
    if mode == "error":
        out.write("error boom\n")
        out.flush()
        continue
    if mode == "nonewline":
        for _ in range(1024):
            out.write("1" * 65536)
            out.flush()
        time.sleep(3600)
    res = []
    for i, r in enumerate(csv.reader(rows)):
        if mode == "garbage":
            res.append("abc")
            continue
        if prob:
            res.append("1.5" if mode == "prob15" and i == 2 else
                       "-0.2" if mode == "negprob" and i == 2 else "0.5")
            continue
        num = float(r[inum]) if r[inum] != "" else 0.0
        first = {"nan": "nan", "big": "1e400"}.get(mode) if i == 2 else None
        res.append("%s,%r" % (first or repr(num + 10 * len(r[icat])), 0.25))
    text = "\n".join(res) + "\n"
    if mode == "extrabytes":
        text += "7"
    if mode == "extra":
        for line in res:
            out.write(line + "\n")
            out.flush()
            time.sleep(0.02)
        time.sleep(0.2)
        out.write("1,1\n")
        out.flush()
        continue
    if mode == "trickle":
        for c in text:
            out.write(c)
            out.flush()
            time.sleep(0.3)
        continue
    out.write(text)
    out.flush()
    nreq += 1
    if mode == "extralate" and nreq == 2:
        time.sleep(0.02)
        out.write("1,1\n")
        out.flush()
