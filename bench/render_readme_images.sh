#!/bin/bash
# render_readme_images.sh - the README's pictures, made by the project's own
# commands: `candor audit --demo` renders the charts, and poppler's
# pdftoppm turns the first page of the demo PDF into a PNG.
#
# usage: bench/render_readme_images.sh [BUILD_DIR]     default: build
# writes docs/img/fairness_race.png, docs/img/shap_summary.png and
# docs/img/report_page1.png (the audit time is pinned with
# SOURCE_DATE_EPOCH so that the pictures do not change from run to run).
set -eu
build=${1:-build}
ninja -C "$build" cli/candor >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# exit 1 = the demo policy fails, as it should on data with planted bias
SOURCE_DATE_EPOCH=1795000000 "$build/cli/candor" audit --demo --rows 20000 --out "$tmp/demo" || [ $? -eq 1 ]
mkdir -p docs/img
cp "$tmp/demo/charts/fairness_race.png" docs/img/fairness_race.png
cp "$tmp/demo/charts/shap_summary.png" docs/img/shap_summary.png
pdftoppm -f 1 -l 1 -r 60 -png -singlefile "$tmp/demo/report.pdf" docs/img/report_page1
ls -l docs/img/fairness_race.png docs/img/shap_summary.png docs/img/report_page1.png
