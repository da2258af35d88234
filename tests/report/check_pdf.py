#!/usr/bin/python3
"""check_pdf.py REPORT.pdf AUDIT.json PAGES - the PDF as a reviewer's tools
see it: pdfinfo gives PAGES pages and the pinned metadata; pdftotext finds
the verdict, every failing check, every group name, every group's
selection rate (as %.4f), the metric appendix and every input's SHA-256."""
import json
import re
import subprocess
import sys

errors = []


def main():
    pdf, doc, pages = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if not m or int(m.group(1)) != pages:
        errors.append(f"pdfinfo pages {m.group(1) if m else '?'}, want {pages}")
    if "candor audit report" not in info:
        errors.append("pdfinfo: title missing")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    verdict = "VERDICT: " + doc["verdict"].upper()
    if verdict not in flat:
        errors.append(f"{verdict!r} not found")
    fair = doc["fairness"]
    for c in fair["checks"]:
        word = "passes" if c["pass"] else "FAILS"
        if not re.search(re.escape(c["metric"]) + r" for " + re.escape(c.get("attribute", "")) + r".{0,240}?" + word, flat):
            errors.append(f"check {c['metric']}/{c.get('attribute')} ({word}) not stated")
    for g in fair["groups"]:
        if g["group"] not in flat:
            errors.append(f"group {g['group']!r} not found")
        sr = (g["metrics"].get("selection_rate") or {}).get("value")
        if sr is not None and f"{sr:.4f}" not in flat:
            errors.append(f"selection rate {sr:.4f} of {g['group']} not found")
    for word in ["Executive summary", "Appendix: the metrics", "Reproducibility manifest",
                 "selection_rate:", "disparate_impact:"]:
        if word not in flat:
            errors.append(f"{word!r} not found")
    for f in doc["manifest"].get("files", []):
        if f.get("sha256") and f["sha256"] not in flat:
            errors.append(f"sha256 of {f['role']} not found")
    if doc.get("explanations", {}).get("group_drivers"):
        if "drive the gap" not in flat:
            errors.append("the group-gap drivers are missing")
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
