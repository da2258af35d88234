#!/usr/bin/python3
"""make_fixture.py - writes golden_input.csv, the fairness-only fixture of
test_audit.c: 400 rows of label, pred, score, sex, race and region, with a
small group (region "isle", under min_group_size), a group that is never
given the favourable decision (race "d": ppv undefined, null with a
reason) and a planted gap in selection rates by sex. Seeded: the same file
on every run (the committed copy is the one the goldens were made from)."""
import random
import sys

rng = random.Random(20261202)
out = open(sys.argv[1] if len(sys.argv) > 1 else "golden_input.csv", "w")
out.write("label,pred,score,sex,race,region\n")
for i in range(400):
    sex = "f" if rng.random() < 0.45 else "m"
    race = rng.choice("abcd")
    region = "isle" if i % 37 == 0 else rng.choice(["north", "south"])
    label = 1 if rng.random() < 0.5 else 0
    p = 0.35 + 0.3 * label + (0.12 if sex == "m" else -0.05) + rng.uniform(-0.3, 0.3)
    if race == "d":
        p = min(p, 0.49)
    p = min(1.0, max(0.0, p))
    out.write(f"{label},{1 if p >= 0.5 else 0},{p:.4f},{sex},{race},{region}\n")
