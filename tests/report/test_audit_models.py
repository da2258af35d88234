#!/usr/bin/python3
"""test_audit_models.py PLUGIN.so - the explanation branches of `candor audit`
other than linear SHAP, through the real binary ($CANDOR_BIN):

- TreeSHAP: an XGBoost binary:logistic model trained here (xgb_fixture.py,
  python3-xgboost) on `candor datasets synth --kind credit` data. Oracles:
  XGBoost's own pred_contribs (SHAP values and base value) and
  predict(output_margin=True) for the explained rows, and XGBoost's
  probabilities for the audit's decisions (overall selection rate).
- KernelSHAP, the fallback for models that are neither linear/logistic nor
  XGBoost: a plugin (audit_plugin.c, probability output, not linear).
  Oracles: the plugin's formula recomputed here in numpy for the
  predictions; efficiency (SHAP + base = prediction); the dummy axiom for
  zip_score, an input the formula ignores.

Both runs must exit 0 or 1 (the policy's verdict), never 2, 3 or a crash
(a stress run checks the exit path, which used to abort now and then), and
write the workbook (read back by openpyxl and compared with audit.json cell for
cell), the PDF (pdftotext/pdfinfo) and the charts (SVGs parsed)."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

BIN = os.environ["CANDOR_BIN"]
SRC = os.environ.get("CANDOR_SOURCE_ROOT", ".")
PY = os.environ.get("PYTHON", "/usr/bin/python3")
HERE = os.path.join(SRC, "tests", "report")
sys.path.insert(0, HERE)
import xgb_fixture  # noqa: E402  (python3-xgboost)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")  # 2026-11-18T11:06:40Z
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env)


def max_rel(a, b):
    """Largest |a - b| / max(1, |b|): relative for large values, absolute near 0."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def check_outputs(out, tag):
    """The report folder: workbook vs audit.json, PDF, charts."""
    doc = json.load(open(os.path.join(out, "audit.json")))
    nattr = len(doc["fairness"]["attributes"])
    # per attribute: group bars and disparity; explanations: beeswarm,
    # importance, waterfall, dependence, and LIME
    ncharts = 2 * nattr + 4 + (1 if doc["explanations"].get("lime") else 0)
    r = subprocess.run([PY, os.path.join(HERE, "check_workbook.py"), os.path.join(out, "audit.xlsx"),
                        os.path.join(out, "audit.json"), str(ncharts)], capture_output=True, text=True)
    check(r.returncode == 0, f"{tag}: workbook: {r.stderr[:2000]}")
    info = subprocess.run(["pdfinfo", os.path.join(out, "report.pdf")], capture_output=True,
                          text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", info, re.M)
    check(m is not None, f"{tag}: pdfinfo cannot read report.pdf")
    if m:
        r = subprocess.run([PY, os.path.join(HERE, "check_pdf.py"), os.path.join(out, "report.pdf"),
                            os.path.join(out, "audit.json"), m.group(1)], capture_output=True, text=True)
        check(r.returncode == 0, f"{tag}: pdf: {r.stderr[:2000]}")
    pngs = glob.glob(os.path.join(out, "charts", "*.png"))
    svgs = glob.glob(os.path.join(out, "charts", "*.svg"))
    check(len(pngs) == ncharts and len(svgs) == ncharts,
          f"{tag}: {len(pngs)} PNG and {len(svgs)} SVG charts, want {ncharts} of each")
    for stem in ("shap_summary", "importance", "fairness_race", "disparity_sex"):
        check(os.path.getsize(os.path.join(out, "charts", stem + ".png")) > 1000,
              f"{tag}: charts/{stem}.png missing or empty")
    r = subprocess.run([PY, os.path.join(HERE, "check_svg.py"), "900", "540", *svgs],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"{tag}: svgs: {r.stderr[:1000]}")
    return doc


def tree(tmp, data):
    model = os.path.join(tmp, "xgb.json")
    booster = xgb_fixture.train(data, model)
    out = os.path.join(tmp, "tree")
    r = run("audit", "--data", data, "--model", model, "--label", "label", "--sensitive", "sex,race",
            "--explain-rows", "80", "--out", out)
    check(r.returncode in (0, 1), f"tree: exit {r.returncode}, want 0 or 1: {r.stderr}")
    if r.returncode not in (0, 1):
        return
    doc = check_outputs(out, "tree")
    ex, man = doc["explanations"], doc["manifest"]
    check(ex["method"] == "tree" and man["model_type"] == "xgboost",
          f"tree: method {ex['method']}, model_type {man['model_type']}")
    check(ex["features"] == xgb_fixture.FEATURES, f"tree: features {ex['features']}")
    check(man["command_line"].startswith("candor audit --data "),
          f"tree: manifest command line {man['command_line']!r} does not reproduce the run")
    X, _ = xgb_fixture.read_features(data)
    rows = ex["rows"]
    check(len(rows) == 80 and rows == [i * len(X) // 80 for i in range(80)], "tree: explained rows")
    check(max_rel(ex["values"], X[rows]) == 0, "tree: explained feature values differ from the data")
    # XGBoost's own answers for those rows (the independent oracle)
    d = xgb_fixture.dmatrix(X[rows])
    contribs = booster.predict(d, pred_contribs=True)  # rows x (M + 1), last = bias
    margin = booster.predict(d, output_margin=True)
    shap, base, pred = np.array(ex["shap"]), np.array(ex["base_value"]), np.array(ex["prediction"])
    # XGBoost sums in float32: 1e-5 relative is a few float32 ulps of the
    # margins (|margin| < 8), far below any difference a wrong path would make
    e = max_rel(shap, contribs[:, :-1])
    check(e < 1e-5, f"tree: SHAP values differ from pred_contribs by {e:.3g}")
    e = max_rel(base, contribs[:, -1])
    check(e < 1e-5, f"tree: base value differs from pred_contribs' bias by {e:.3g}")
    e = max_rel(pred, margin)
    check(e < 1e-5, f"tree: prediction differs from XGBoost's margin by {e:.3g}")
    e = max_rel(shap.sum(axis=1) + base, margin)
    check(e < 1e-5, f"tree: SHAP rows + base differ from XGBoost's margin by {e:.3g}")
    # TreeSHAP values are log-odds, and the document must say so (it said
    # "model output", identity link, before the fix in report/audit.c)
    check(ex["output"] == "margin (log-odds)" and ex["link"] == "logit",
          f"tree: output {ex['output']!r}, link {ex['link']!r}")
    # the decisions: XGBoost's probability >= 0.5, over every row
    prob = booster.predict(xgb_fixture.dmatrix(X))
    sr = doc["fairness"]["overall"]["selection_rate"]["value"]
    check(abs(sr - float(np.mean(prob >= 0.5))) < 1e-12,
          f"tree: overall selection rate {sr} is not XGBoost's {np.mean(prob >= 0.5)}")


def plugin_predict(X):
    """audit_plugin.c's formula, written again in numpy."""
    age, inc, cs, dr, loan = X[:, 0], X[:, 1], X[:, 2], X[:, 3], X[:, 4]
    z = (-1.2 + 0.9 * np.tanh((inc - 60) / 25) + 2.2 * (cs - 650) / 100 * (1 - dr)
         - 0.6 * (loan > 30) + 0.02 * (age - 40) * np.where(dr < 0.35, 1.0, -0.5))
    return 1 / (1 + np.exp(-z))


def kernel(tmp, data, plugin):
    out = os.path.join(tmp, "kernel")
    r = run("audit", "--data", data, "--model", plugin, "--label", "label", "--sensitive", "sex,race",
            "--explain-rows", "40", "--lime-rows", "2", "--out", out)
    check(r.returncode in (0, 1), f"kernel: exit {r.returncode}, want 0 or 1: {r.stderr}")
    if r.returncode not in (0, 1):
        return
    doc = check_outputs(out, "kernel")
    ex, man = doc["explanations"], doc["manifest"]
    check(ex["method"] == "kernel" and man["model_type"] == "plugin",
          f"kernel: method {ex['method']}, model_type {man['model_type']}")
    check(ex["link"] == "identity" and ex["output"] == "model output",
          f"kernel: link {ex['link']}, output {ex['output']}")
    X, _ = xgb_fixture.read_features(data)
    rows = ex["rows"]
    shap, base, pred = np.array(ex["shap"]), np.array(ex["base_value"]), np.array(ex["prediction"])
    # the predictions are the plugin's probabilities (the same formula in
    # double precision on both sides: agreement to rounding)
    e = max_rel(pred, plugin_predict(X[rows]))
    check(e < 1e-12, f"kernel: prediction differs from the formula by {e:.3g}")
    # efficiency on the explained scale (probability): KernelSHAP imposes
    # it as a constraint, so only rounding in the solve remains
    e = float(np.max(np.abs(shap.sum(axis=1) + base - pred)))
    check(e < 1e-6, f"kernel: SHAP + base differs from the prediction by {e:.3g}")
    # the dummy axiom: zip_score never enters the formula. With 6 features
    # the 62 coalitions fit in KernelSHAP's sample, so the estimate is the
    # exact Shapley value, 0, up to rounding.
    z = float(np.max(np.abs(shap[:, ex["features"].index("zip_score")])))
    check(z < 1e-6, f"kernel: zip_score (ignored by the model) has SHAP values up to {z:.3g}")
    check(float(np.max(np.abs(shap))) > 0.01, "kernel: every SHAP value is about 0")
    check(len(ex["lime"]["rows"]) == 2, "kernel: LIME rows")
    sr = doc["fairness"]["overall"]["selection_rate"]["value"]
    check(abs(sr - float(np.mean(plugin_predict(X) >= 0.5))) < 1e-12,
          "kernel: overall selection rate is not the plugin's")


def no_abort_at_exit(tmp):
    """candor_report_release_caches() at the end of `candor audit` used to
    abort about 1 run in 13 (cairo's "live_entries == 0" assertion: pango's
    fontset thread still held the font map), after writing a complete
    report: 3 of 40 runs, measured twice. 40 short runs: the chance that all
    pass with the bug is (37/40)^40, about 4%."""
    bad = []
    for i in range(40):
        r = run("audit", "--demo", "--rows", "200", "--explain-rows", "10", "--lime-rows", "1",
                "--out", os.path.join(tmp, f"stress{i}"))
        if r.returncode not in (0, 1):
            bad.append((r.returncode, r.stderr.strip().splitlines()[-1:]))
    check(not bad, f"candor audit crashed at exit in {len(bad)} of 40 runs: {bad[:2]}")


def main():
    plugin = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="candor-audit-models-", dir=os.environ.get("CANDOR_BUILD_ROOT"))
    try:
        data = os.path.join(tmp, "credit.csv")
        r = run("datasets", "synth", "--kind", "credit", "--rows", "2500", "--seed", "11", "--out", data)
        check(r.returncode == 0, "datasets synth: " + r.stderr)
        tree(tmp, data)
        kernel(tmp, data, plugin)
        no_abort_at_exit(tmp)
    finally:
        if not os.environ.get("CANDOR_KEEP_REPORTS"):
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
