#!/usr/bin/python3
"""check_workbook.py AUDIT.xlsx AUDIT.json NCHARTS - read the workbook back
with openpyxl (an independent reader) and compare it with audit.json cell
for cell, following the layout in docs/report.md. JSON null must be an empty
cell with a comment; failing cells must carry the vermillion fill; the sheets
must be exactly those the document calls for (none for explanations in a
fairness-only document). Prints every mismatch and exits 1 if there is any."""
import datetime
import json
import math
import sys

import openpyxl

errors = []


def same(cell, want, where):
    got = cell.value
    if want == "":
        want = None  # libxlsxwriter writes an empty string as a blank cell
    if want is None:
        if got is not None:
            errors.append(f"{where}: want empty, got {got!r}")
        return
    if isinstance(want, bool) or isinstance(got, bool):
        if got is not want and got != want:
            errors.append(f"{where}: want {want!r}, got {got!r}")
        return
    if isinstance(want, (int, float)):
        # libxlsxwriter writes numbers with 16 significant digits (Excel
        # itself shows 15), so the 17th digit of a double may differ: allow
        # a relative 1e-15, far below any digit the workbook displays
        if not isinstance(got, (int, float)) or not math.isclose(got, want, rel_tol=1e-15, abs_tol=0):
            errors.append(f"{where}: want {want!r}, got {got!r}")
        return
    if got != want:
        errors.append(f"{where}: want {want!r}, got {got!r}")


def val(x):
    if isinstance(x, dict):
        return x.get("value")
    return x


def is_fail_fill(cell):
    rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fgColor is not None else None
    return isinstance(rgb, str) and rgb.upper().endswith("D55E00")


def check_kind(c):
    if "kind" in c:
        return c["kind"], c.get("bound", c.get(c["kind"]))
    for k in ("min", "max", "max_difference", "min_ratio"):
        if k in c:
            return k, c[k]
    return "?", None


def main():
    book = openpyxl.load_workbook(sys.argv[1])
    doc = json.load(open(sys.argv[2]))
    ncharts = int(sys.argv[3])
    fair = doc["fairness"]

    # ---- Summary
    s = book["Summary"]
    same(s["A1"], "candor audit", "Summary!A1")
    same(s["B3"], doc["verdict"], "Summary!B3")
    same(s["B4"], sum(1 for c in fair["checks"] if not c["pass"]), "Summary!B4")
    heads = ["metric", "attribute", "kind", "bound", "value", "group", "pass"]
    for j, h in enumerate(heads):
        same(s.cell(6, j + 1), h, f"Summary header {j}")
    for i, c in enumerate(fair["checks"]):
        r = 7 + i
        kind, bound = check_kind(c)
        for j, want in enumerate([c["metric"], c.get("attribute"), kind, bound, c.get("value"),
                                  c.get("group"), c["pass"]]):
            same(s.cell(r, j + 1), want, f"Summary!{r},{j + 1}")
        if "FAILS" in (s.cell(r, 8).value or "") == c["pass"]:
            errors.append(f"Summary!H{r}: sentence disagrees with pass={c['pass']}")
    # manifest key/value rows follow the checks
    r = 7 + len(fair["checks"]) + 1
    same(s.cell(r, 1), "manifest", "Summary manifest title")
    r += 1
    for key in ["candor_version", "command_line", "seed", "threads", "time", "rows",
                "explained_rows", "label", "model_type"]:
        if key not in doc["manifest"]:
            continue
        same(s.cell(r, 1), key, f"Summary manifest key {key}")
        same(s.cell(r, 2), doc["manifest"][key], f"Summary manifest {key}")
        r += 1
    r += 1
    if doc["manifest"].get("files"):  # no table when there is no file
        for j, h in enumerate(["role", "path", "sha256"]):
            same(s.cell(r, j + 1), h, "Summary files header")
    for f in doc["manifest"].get("files", []):
        r += 1
        for j, k in enumerate(["role", "path", "sha256"]):
            same(s.cell(r, j + 1), f.get(k), f"Summary file {f.get('role')} {k}")

    # ---- Fairness
    s = book["Fairness"]
    metrics = []
    for g in fair["groups"]:
        for m in g["metrics"]:
            if m not in metrics:
                metrics.append(m)
    heads = ["attribute", "group", "reference", "n", "tp", "fp", "tn", "fn"]
    for m in metrics:
        heads += [m, m + "_lo", m + "_hi"]
    for j, h in enumerate(heads):
        same(s.cell(1, j + 1), h, f"Fairness header {j}")
    if s.freeze_panes != "C2":
        errors.append(f"Fairness: frozen at {s.freeze_panes}, want C2")
    if not s.auto_filter.ref:
        errors.append("Fairness: no autofilter")
    ref_of = fair["reference"]
    by_group = {(g["attribute"], g["group"]): g for g in fair["groups"]}
    for i, g in enumerate(fair["groups"]):
        r = 2 + i
        row = [g["attribute"], g["group"], ref_of.get(g["attribute"]) == g["group"],
               g["n"], g["tp"], g["fp"], g["tn"], g["fn"]]
        for m in metrics:
            mv = g["metrics"].get(m) or {}
            ci = mv.get("ci") or [None, None]
            row += [mv.get("value"), ci[0], ci[1]]
            col = 9 + 3 * metrics.index(m)
            cell = s.cell(r, col)
            if mv.get("value") is None and cell.comment is None:
                errors.append(f"Fairness!{cell.coordinate}: null without a comment")
            # failing cells, worked out here independently of the C code
            fails = False
            v = mv.get("value")
            refg = by_group.get((g["attribute"], ref_of.get(g["attribute"])))
            refv = val((refg or {}).get("metrics", {}).get(m)) if refg else None
            for c in fair["checks"]:
                if c["pass"] or c["metric"] != m or c.get("attribute", g["attribute"]) != g["attribute"]:
                    continue
                kind, bound = check_kind(c)
                if v is None or bound is None:
                    continue
                if kind == "min" and v < bound or kind == "max" and v > bound:
                    fails = True
                if kind == "max_difference" and refv is not None and abs(v - refv) > bound:
                    fails = True
                if kind == "min_ratio" and refv and v / refv < bound:
                    fails = True
            if fails != is_fail_fill(cell):
                errors.append(f"Fairness!{cell.coordinate}: failing={fails} but fill says {not fails}")
        for j, want in enumerate(row):
            same(s.cell(r, j + 1), want, f"Fairness!{r},{j + 1}")

    # ---- Disparities
    s = book["Disparities"]
    for i, d in enumerate(fair["disparities"]):
        r = 2 + i
        for j, k in enumerate(["attribute", "metric", "group", "reference", "difference", "ratio", "p_value"]):
            same(s.cell(r, j + 1), d.get(k), f"Disparities!{r},{j + 1}")

    # ---- Summary metrics
    s = book["Summary metrics"]
    rows = []
    for k, v in fair.get("summary_by_attribute", fair["summary"]).items():
        if isinstance(v, dict) and "value" not in v:
            rows += [(k, k2, val(v2)) for k2, v2 in v.items()]
        else:
            rows.append(("all", k, val(v)))
    for i, want in enumerate(rows):
        for j in range(3):
            same(s.cell(2 + i, j + 1), want[j], f"Summary metrics!{2 + i},{j + 1}")

    # ---- explanations (a fairness-only document has none, and no sheets for them)
    ex = doc.get("explanations")
    want_sheets = ["Summary", "Fairness", "Disparities", "Summary metrics"]
    if ex:
        want_sheets += ["Global importance", "SHAP values"] + (["LIME"] if "lime" in ex else [])
    if ncharts:
        want_sheets.append("Charts")
    if book.sheetnames != want_sheets:
        errors.append(f"sheets {book.sheetnames}, want {want_sheets}")
    if ex:
        feats = ex["features"]
        s = book["Global importance"]
        order = sorted(range(len(feats)), key=lambda j: (-ex["importance"][j], j))
        for k, j in enumerate(order):
            same(s.cell(2 + k, 1), feats[j], f"Global importance!A{2 + k}")
            same(s.cell(2 + k, 2), ex["importance"][j], f"Global importance!B{2 + k}")
        if len(s._charts) != 1:
            errors.append(f"Global importance: {len(s._charts)} charts, want 1 native chart")
        s = book["SHAP values"]
        heads = ["row"] + feats + ["base_value", "prediction"]
        for j, h in enumerate(heads):
            same(s.cell(1, j + 1), h, f"SHAP header {j}")
        for i, rid in enumerate(ex["rows"]):
            want = [rid] + ex["shap"][i] + [ex["base_value"][i], ex["prediction"][i]]
            for j, w in enumerate(want):
                same(s.cell(2 + i, j + 1), w, f"SHAP values!{2 + i},{j + 1}")
        if "lime" in ex:
            lime = ex["lime"]
            s = book["LIME"]
            tail = ["intercept", "local_prediction", "prediction", "score"]
            for j, h in enumerate(["row"] + feats + tail):
                same(s.cell(1, j + 1), h, f"LIME header {j}")
            for i, rid in enumerate(lime["rows"]):
                want = [rid] + lime["weights"][i] + [lime[t][i] for t in tail]
                for j, w in enumerate(want):
                    same(s.cell(2 + i, j + 1), w, f"LIME!{2 + i},{j + 1}")
    if ncharts:
        got = len(book["Charts"]._images)
        if got != ncharts:
            errors.append(f"Charts: {got} images, want {ncharts}")

    # ---- document properties: the audit's time, pinned
    # (a document without a valid time, e.g. from the library with no
    # options, pins 2000-01-01: never "now")
    created = book.properties.created
    try:
        want = datetime.datetime.strptime(doc["manifest"].get("time", ""), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        want = datetime.datetime(2000, 1, 1)
    if created.replace(tzinfo=None) != want:
        errors.append(f"properties.created {created}, want {want}")
    if book.properties.creator != "candor":
        errors.append(f"properties.creator {book.properties.creator!r}")

    for e in errors[:40]:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
