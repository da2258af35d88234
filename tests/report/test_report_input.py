#!/usr/bin/python3
"""test_report_input.py - issue 9's findings about the audit document and
the report's content, through the real binary ($CANDOR_BIN):

- 18: a document with a number beyond its domain (1e308 SHAP value, NaN,
  1e400, a negative count, a rate above 1, a wrapping integer) is refused
  with exit 2 at the number's FILE:LINE:COL (computed here from the text);
  it used to loop forever or render;
- 22: invalid UTF-8 in a document is refused at its position and nothing
  prints a Pango warning; on a full disk (a tiny tmpfs in a user namespace)
  libxlsxwriter prints nothing: every stderr line is candor's own;
- 23: a group name over Excel's 32,767 characters is exit 2 with its
  position, never 3; SHAP sums that overflow no longer reach cairo's
  "invalid matrix" (exit 3);
- 14: attributes `a/b`, `a_b` and `a&b` get three different chart files,
  and the workbook and PDF still show the real names;
- 25: the manifest's command line, split by a POSIX shell (shlex), gives
  back exactly the arguments; control characters from the data never
  reach the terminal raw.
"""
import copy
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ["CANDOR_BIN"]
SRC = os.environ.get("CANDOR_SOURCE_ROOT", ".")
FIXTURE = os.path.join(SRC, "tests", "report", "fixture_audit.json")
failures = []
# Under LeakSanitizer, its summary of used suppressions (fontconfig's
# caches, tests/lsan.supp) is not a library printing: keep stderr for candor.
if os.environ.get("LSAN_OPTIONS") is not None:
    os.environ["LSAN_OPTIONS"] += ":print_suppressions=0"


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args, timeout=120):
    e = dict(os.environ)
    e["SOURCE_DATE_EPOCH"] = "1795000000"
    try:
        return subprocess.run([BIN, *args], capture_output=True, env=e, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def position(data, offset):
    """Line and byte column (1-based) of a byte offset: the oracle."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def expect_refused(tmp, name, data, offset, what):
    path = os.path.join(tmp, name + ".json")
    with open(path, "wb") as f:
        f.write(data)
    out = os.path.join(tmp, "out-" + name)
    r = run("report", "--from", path, "--out", out, timeout=60)
    if r is None:
        check(False, f"{what}: report --from did not finish in 60 s")
        return
    err = r.stderr.decode("utf-8", "replace")
    check(r.returncode == 2, f"{what}: exit {r.returncode}, want 2 ({err.strip()})")
    if offset is not None:
        line, col = position(data, offset)
        check(err.startswith(f"candor: {path}:{line}:{col}: "),
              f"{what}: error {err.strip()!r} is not at {line}:{col}")
    check("Pango" not in err and "[ERROR]" not in err, f"{what}: a library printed: {err!r}")
    check(not os.path.exists(out), f"{what}: an output folder was written")


def main():
    tmp = tempfile.mkdtemp(prefix="candor-report-input-")
    try:
        text = open(FIXTURE, "rb").read()
        doc = json.loads(text)
        shap0 = b"[[-0.0821"

        # ---- 18: numbers outside their domain, at their position
        for name, old, new in [
            ("shap_1e308", shap0, b"[[1e308"),
            ("nan", shap0, b"[[NaN"),
            ("inf", shap0, b"[[Infinity"),
            ("overflow", shap0, b"[[1e400"),
            ("negative_count", b'"n": 970,', b'"n": -970,'),
            ("rate_above_one", b'"value": 0.41237', b'"value": 1.41237'),
            ("wrapping_int", b'"n": 970,', b'"n": 99999999999999999999,'),
        ]:
            at = text.index(old)
            data = text.replace(old, new, 1)
            # the offending token: where old and new first differ
            k = next(i for i in range(len(new)) if i >= len(old) or old[i] != new[i])
            # back to the token's start (a sign or digit run)
            while k > 0 and chr(new[k - 1]) in "-0123456789.eE+":
                k -= 1
            expect_refused(tmp, name, data, at + k, name)
        # a key given twice would silently keep one of the two values
        data = text.replace(b'"n": 970,', b'"n": 970, "n": 5,', 1)
        expect_refused(tmp, "duplicate", data, None, "duplicate key")
        expect_refused(tmp, "trailing", text + b"\n{}", len(text) + 1, "text after the document")

        # ---- 22: invalid UTF-8 and NUL, at their position
        i = text.index(b'"female"') + 3
        expect_refused(tmp, "utf8", text[:i] + b"\xff" + text[i:], i, "invalid UTF-8")
        expect_refused(tmp, "nul", text.replace(b'"female"', b'"fe\\u0000male"', 1),
                       text.index(b'"female"') + 3, "NUL escape")

        # ---- 23: a group name over Excel's cell limit; overflowing sums
        d = copy.deepcopy(doc)
        long = "g" * 40000
        d["fairness"]["groups"][0]["group"] = long
        data = json.dumps(d).encode()
        expect_refused(tmp, "long_group", data, data.index(b'"' + long.encode()), "40,000-character group")
        for name, change in [("base_value", lambda d: d["explanations"]["base_value"].__setitem__(0, 1.7e308)),
                             ("shap_sum", lambda d: d["explanations"]["shap"].__setitem__(0, [1.7e308, 1.7e308, 0, 0])),
                             ("rates", lambda d: d["fairness"]["groups"][0]["metrics"]["selection_rate"].__setitem__("value", -1e308))]:
            d = copy.deepcopy(doc)
            change(d)
            expect_refused(tmp, name, json.dumps(d).encode(), None, f"overflowing {name}")
        # the same limit through `fairness --xlsx`: exit 2, not 3
        csv = os.path.join(tmp, "long.csv")
        with open(csv, "w") as f:
            f.write("y,p,g\n1,1,a\n0,1,a\n1,0,%s\n0,0,%s\n" % (long, long))
        r = run("fairness", "--data", csv, "--label", "y", "--pred", "p", "--sensitive", "g",
                "--xlsx", os.path.join(tmp, "long.xlsx"))
        check(r is not None and r.returncode == 2,
              f"fairness --xlsx with a 40,000-character group: exit {r and r.returncode}, want 2")

        # extremes that are in range still render (ticks are total)
        d = copy.deepcopy(doc)
        d["explanations"]["shap"][0][0] = 1e300
        d["explanations"]["shap"][1][1] = 5e-324
        p = os.path.join(tmp, "extreme.json")
        json.dump(d, open(p, "w"))
        r = run("report", "--from", p, "--out", os.path.join(tmp, "extreme"), timeout=120)
        check(r is not None and r.returncode == 0 and r.stderr == b"",
              f"in-range extremes: {r and (r.returncode, r.stderr)}")

        # ---- 14: chart names are injective; the reports show the real names
        d = copy.deepcopy(doc)
        attrs = ["a/b", "a_b", "a&b"]
        groups = []
        for a in attrs:
            for g in doc["fairness"]["groups"][:2]:
                g = copy.deepcopy(g)
                g["attribute"] = a
                groups.append(g)
        d["fairness"]["attributes"] = attrs
        d["fairness"]["groups"] = groups
        d["fairness"]["reference"] = {a: "male" for a in attrs}
        d["fairness"]["checks"] = []
        d["fairness"]["disparities"] = []
        p = os.path.join(tmp, "names.json")
        json.dump(d, open(p, "w"))
        out = os.path.join(tmp, "names")
        r = run("report", "--from", p, "--out", out)
        check(r is not None and r.returncode == 0, f"colliding names: {r and r.stderr}")
        pngs = sorted(os.path.basename(x) for x in glob.glob(os.path.join(out, "charts", "*.png")))
        fair = [x for x in pngs if x.startswith("fairness_")]
        disp = [x for x in pngs if x.startswith("disparity_")]
        check(len(fair) == 3 and len(disp) == 3, f"one chart per attribute: {pngs}")
        try:
            import openpyxl
            wb = openpyxl.load_workbook(os.path.join(out, "audit.xlsx"))
            seen = {row[0] for row in wb["Fairness"].iter_rows(min_row=2, values_only=True)}
            check(seen == set(attrs), f"the workbook's attributes: {seen}")
        except ImportError:
            print("openpyxl missing: workbook names not checked")
        if shutil.which("pdftotext"):
            t = subprocess.run(["pdftotext", os.path.join(out, "report.pdf"), "-"],
                               capture_output=True, text=True).stdout
            check(all(a in t for a in attrs), "the PDF shows every real attribute name")

        # ---- 22: a full disk, and libxlsxwriter stays silent
        if shutil.which("unshare") and subprocess.run(
                ["unshare", "-r", "-m", "true"], capture_output=True).returncode == 0:
            for size in ("8k", "64k", "600k"):
                script = ('d=$(mktemp -d) && mount -t tmpfs -o size=%s tmpfs "$d" && '
                          '"$0" fairness --data "$1" --label y --pred p --sensitive g '
                          '--xlsx "$d/o.xlsx" >/dev/null; echo "rc=$?"; '
                          '"$0" report --from "$2" --out "$d/r" >/dev/null; echo "rc=$?"; '
                          'umount "$d"; rmdir "$d"') % size
                small = os.path.join(tmp, "small.csv")
                with open(small, "w") as f:
                    f.write("y,p,g\n1,1,a\n0,1,a\n1,0,b\n0,0,b\n")
                pr = subprocess.run(["unshare", "-r", "-m", "sh", "-c", script, BIN, small, FIXTURE],
                                    capture_output=True)
                codes = pr.stdout.decode()
                lines = pr.stderr.decode("utf-8", "replace").splitlines()
                check(all(l.startswith("candor: ") for l in lines),
                      f"full disk ({size}): a library printed: {lines}")
                check(codes.count("rc=") == 2, f"full disk ({size}): the runs did not happen: {pr.stderr!r}")
                check("rc=3" not in codes, f"full disk ({size}): exit 3 ({codes.split()})")
        else:
            print("unshare -r -m is not available: the full-disk part is skipped")

        # ---- 25: the manifest's command line, pasted into a POSIX shell (the
        # oracle: /bin/sh itself, with `candor` a function that prints its
        # arguments), gives back exactly the same words
        for out in (os.path.join(tmp, "o u;t&|$x'y`z*#~!("),
                    os.path.join(tmp, "o;zzq1&zzq2|zzq3>zzq4"), os.path.join(tmp, "~zzq")):
            args = ["audit", "--demo", "--out", out]
            r = run(*args)
            check(r is not None and r.returncode in (0, 1), f"demo audit: {r and r.stderr}")
            man = json.load(open(os.path.join(out, "audit.json")))["manifest"]["command_line"]
            sh = subprocess.run(["sh", "-c", 'candor() { for a; do printf "%s\\0" "$a"; done; }\n' + man],
                                capture_output=True, cwd=tmp)
            words = sh.stdout.split(b"\0")[:-1]
            check(words == [a.encode() for a in args] and sh.returncode == 0,
                  f"command line {man!r} runs as {words!r} in sh")
            check(shlex.split(man) == ["candor", *args], f"command line {man!r} does not split back")

        # control characters from the data never reach the terminal raw
        esc = os.path.join(tmp, "esc.csv")
        with open(esc, "wb") as f:
            f.write(b"y,p,g\n1,1,a\n0,1,a\n\x1b]0;pwned\x07x,0,b\n")
        r = run("fairness", "--data", esc, "--label", "y", "--pred", "p", "--sensitive", "g")
        check(r is not None and r.returncode == 2, f"third label value: {r and r.returncode}")
        check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", r.stderr),
              f"raw control characters on the terminal: {r.stderr!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    print("all report-input checks passed")


if __name__ == "__main__":
    main()
