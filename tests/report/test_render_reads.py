#!/usr/bin/python3
"""test_render_reads.py - the renderers show the document's numbers and do
not recompute them (issue 10: report/ only renders). The disparity chart
draws fairness.disparities[].ratio: a document whose ratio for one group
is edited (its group metrics untouched) gives another disparity chart for
that attribute, and the same files for everything that does not show it."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
SRC = os.environ.get("CANDOR_SOURCE_ROOT", ".")
FIXTURE = os.path.join(SRC, "tests", "report", "fixture_audit.json")


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def render(doc, out):
    r = subprocess.run([BIN, "report", "--from", doc, "--out", out], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: candor report:", r.stderr, file=sys.stderr)
        sys.exit(1)


def main():
    tmp = tempfile.mkdtemp(prefix="candor-render-reads-")
    failures = 0
    try:
        doc = json.load(open(FIXTURE))
        edited = 0
        for d in doc["fairness"]["disparities"]:
            if d["attribute"] == "sex" and d["metric"] == "selection_rate":
                d["ratio"] = 1.0  # the groups' own rates still say 0.75
                edited += 1
        assert edited == 1, "the fixture has one sex disparity of selection_rate"
        path = os.path.join(tmp, "edited.json")
        json.dump(doc, open(path, "w"), indent=2)
        render(FIXTURE, os.path.join(tmp, "a"))
        render(path, os.path.join(tmp, "b"))
        for name, same in [("disparity_sex.svg", False), ("disparity_sex.png", False),
                           ("disparity_race.svg", True), ("fairness_sex.svg", True),
                           ("fairness_race.svg", True), ("importance.svg", True)]:
            a = digest(os.path.join(tmp, "a", "charts", name))
            b = digest(os.path.join(tmp, "b", "charts", name))
            if (a == b) != same:
                print(f"FAIL: {name} {'differs' if same else 'is unchanged'} "
                      "after the document's ratio was edited", file=sys.stderr)
                failures += 1
            else:
                print(f"ok: {name} {'unchanged' if same else 'follows the ratio'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
