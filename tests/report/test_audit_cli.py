#!/usr/bin/python3
"""test_audit_cli.py - `candor audit` and `candor report` end to end, through
the real binary ($CANDOR_BIN): the demo's report folder (workbook read back
by openpyxl cell for cell, PDF through pdftotext/pdfinfo, SVGs parsed), exit
status 0/1/2, reproducible output under SOURCE_DATE_EPOCH, the manifest's
SHA-256 against hashlib, re-rendering with `candor report --from`, and the
bad inputs of issue 6 (unwritable folder, a policy that does not parse, a
model needing a column the data lacks), each leaving an earlier report
untouched."""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
SRC = os.environ.get("CANDOR_SOURCE_ROOT", ".")
PY = os.environ.get("PYTHON", "/usr/bin/python3")
HERE = os.path.join(SRC, "tests", "report")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args, env=None):
    e = dict(os.environ)
    e["SOURCE_DATE_EPOCH"] = "1795000000"  # 2026-11-18T11:06:40Z: pinned audit time
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=e)


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def tree_digest(d):
    out = {}
    for p in sorted(glob.glob(os.path.join(d, "**"), recursive=True)):
        if os.path.isfile(p):
            out[os.path.relpath(p, d)] = digest(p)
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="candor-audit-cli-")
    try:
        for sub in ("audit", "report"):
            r = run(sub, "--help")
            check(r.returncode == 0 and "usage: candor" in r.stdout, f"{sub} --help")

        # ---- the demo: planted bias, so the policy fails: exit 1
        demo = os.path.join(tmp, "demo")
        r = run("audit", "--demo", "--rows", "3000", "--explain-rows", "150", "--out", demo)
        check(r.returncode == 1, f"demo exit {r.returncode}, want 1: {r.stderr}")
        doc = json.load(open(os.path.join(demo, "audit.json")))
        check(doc["verdict"] == "fail", "demo verdict")
        check(doc["manifest"]["rows"] == 3000 and doc["manifest"]["explained_rows"] == 150,
              "demo manifest rows")
        check(doc["manifest"]["time"] == "2026-11-18T11:06:40Z", "SOURCE_DATE_EPOCH time")
        check(len(doc["explanations"]["shap"]) == 150, "150 explained rows")
        # efficiency: each row's SHAP values add up to prediction - base
        ex = doc["explanations"]
        worst = max(abs(sum(s) + b - p) for s, b, p in
                    zip(ex["shap"], ex["base_value"], ex["prediction"]))
        check(worst < 1e-9, f"SHAP efficiency off by {worst}")
        check(ex["group_drivers"], "group drivers present")
        charts = sorted(os.path.basename(p) for p in glob.glob(os.path.join(demo, "charts", "*")))
        check(len(charts) == 18, f"{len(charts)} chart files, want 18")
        r2 = subprocess.run([PY, os.path.join(HERE, "check_workbook.py"), os.path.join(demo, "audit.xlsx"),
                             os.path.join(demo, "audit.json"), "9"], capture_output=True, text=True)
        check(r2.returncode == 0, "demo workbook: " + r2.stderr[:2000])
        info = subprocess.run(["pdfinfo", os.path.join(demo, "report.pdf")], capture_output=True,
                              text=True).stdout
        pages = int([l.split()[1] for l in info.splitlines() if l.startswith("Pages:")][0])
        check(pages >= 8, f"demo pdf has {pages} pages")
        r2 = subprocess.run([PY, os.path.join(HERE, "check_pdf.py"), os.path.join(demo, "report.pdf"),
                             os.path.join(demo, "audit.json"), str(pages)], capture_output=True, text=True)
        check(r2.returncode == 0, "demo pdf: " + r2.stderr[:2000])
        svgs = glob.glob(os.path.join(demo, "charts", "*.svg"))
        r2 = subprocess.run([PY, os.path.join(HERE, "check_svg.py"), "900", "540", *svgs],
                            capture_output=True, text=True)
        check(r2.returncode == 0, "demo svgs: " + r2.stderr)

        # ---- reproducible: the same run gives the same bytes
        demo2 = os.path.join(tmp, "demo2")
        run("audit", "--demo", "--rows", "3000", "--explain-rows", "150", "--threads", "1", "--out", demo2)
        a, b = tree_digest(demo), tree_digest(demo2)
        diff = [k for k in a if a.get(k) != b.get(k)]
        # the command line differs (--threads 1, another --out): only audit.json,
        # the PDF and the workbook may differ, and audit.json only there
        j1 = json.load(open(os.path.join(demo2, "audit.json")))
        j1["manifest"]["command_line"] = doc["manifest"]["command_line"]
        j1["manifest"]["threads"] = doc["manifest"]["threads"]
        check(j1 == doc, "audit.json differs with one thread")
        check(all(k.startswith("charts/") is False for k in diff), f"charts differ: {diff}")

        # ---- candor report --from: same document, same PDF bytes. It
        # re-renders and does not judge: exit 0 for the demo's failing
        # verdict, and its --help says so
        again = os.path.join(tmp, "again")
        r = run("report", "--from", os.path.join(demo, "audit.json"), "--out", again)
        check(r.returncode == 0, f"report exit {r.returncode}: {r.stderr}")
        r = run("report", "--help")
        check("does not judge" in r.stdout and "exit 0 whenever it has rendered" in r.stdout,
              "report --help does not say that it exits 0 whatever the verdict")
        check(json.load(open(os.path.join(again, "audit.json"))) == doc, "report: audit.json differs")
        check(digest(os.path.join(again, "report.pdf")) == digest(os.path.join(demo, "report.pdf")),
              "report: PDF differs from the audit's")
        check(tree_digest(os.path.join(again, "charts")) == tree_digest(os.path.join(demo, "charts")),
              "report: charts differ")
        # re-render in place
        r = run("report", "--from", os.path.join(demo, "audit.json"), "--out", demo)
        check(r.returncode == 0 and json.load(open(os.path.join(demo, "audit.json"))) == doc,
              "report in place")

        # ---- real files: data, model, a lenient policy that passes: exit 0
        data = os.path.join(tmp, "credit.csv")
        r = run("datasets", "synth", "--kind", "credit", "--rows", "2000", "--seed", "7", "--out", data)
        check(r.returncode == 0, "datasets synth: " + r.stderr)
        model = os.path.join(SRC, "datasets", "credit_model.json")
        lenient = os.path.join(tmp, "lenient.json")
        open(lenient, "w").write('{"checks": [{"metric": "disparate_impact", "min": 0.1}]}')
        out = os.path.join(tmp, "pass")
        r = run("audit", "--data", data, "--model", model, "--label", "label", "--sensitive", "sex,race",
                "--policy", lenient, "--out", out)
        check(r.returncode == 0, f"lenient exit {r.returncode}: {r.stderr}")
        man = json.load(open(os.path.join(out, "audit.json")))["manifest"]
        files = {f["role"]: f for f in man["files"]}
        check(files["data"]["sha256"] == digest(data), "data sha256")
        check(files["model"]["sha256"] == digest(model), "model sha256")
        check(files["policy"]["sha256"] == digest(lenient), "policy sha256")
        before = tree_digest(out)

        # ---- bad input: exit 2, earlier report untouched
        bad_policy = os.path.join(tmp, "bad.json")
        open(bad_policy, "w").write('{"checks": [\n  {"metric": "disparate_impact", "min": }\n]}')
        r = run("audit", "--data", data, "--model", model, "--label", "label", "--sensitive", "sex",
                "--policy", bad_policy, "--out", out)
        check(r.returncode == 2, f"bad policy exit {r.returncode}")
        check("bad.json:2:" in r.stderr, f"bad policy message: {r.stderr!r}")
        check(tree_digest(out) == before, "bad policy touched the earlier report")

        lines = open(data).read().splitlines()
        head = lines[0].split(",")
        k = head.index("zip_score")
        nozip = os.path.join(tmp, "nozip.csv")
        open(nozip, "w").write("\n".join(",".join(c for j, c in enumerate(l.split(",")) if j != k)
                                         for l in lines) + "\n")
        r = run("audit", "--data", nozip, "--model", model, "--label", "label", "--sensitive", "sex",
                "--out", out)
        check(r.returncode == 2 and "zip_score" in r.stderr, f"missing column: {r.returncode} {r.stderr!r}")
        check(tree_digest(out) == before, "missing column touched the earlier report")

        r = run("audit", "--demo", "--rows", "500", "--out", "/proc/candor-no-such-place/out")
        check(r.returncode == 2 and r.stderr.startswith("candor: "), f"unwritable: {r.returncode} {r.stderr!r}")

        foreign = os.path.join(tmp, "foreign")
        os.mkdir(foreign)
        open(os.path.join(foreign, "notes.txt"), "w").write("mine")
        r = run("audit", "--demo", "--rows", "500", "--out", foreign)
        check(r.returncode == 2 and os.listdir(foreign) == ["notes.txt"], "foreign folder")

        r = run("audit", "--demo", "--data", data, "--out", out)
        check(r.returncode == 2, "--demo with --data")
        r = run("audit", "--data", data, "--out", out)
        check(r.returncode == 2, "missing --model")
        r = run("report", "--from", bad_policy, "--out", os.path.join(tmp, "x"))
        check(r.returncode == 2 and "candor-audit" in r.stderr, f"report from a non-audit: {r.stderr!r}")
        check(not glob.glob(os.path.join(tmp, "*.tmp-*")), "temporary folders left behind")
    finally:
        if not os.environ.get("CANDOR_KEEP_REPORTS"):
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
