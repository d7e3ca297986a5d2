#!/usr/bin/env bash
# Refresh static/vendor from the npm registry (pinned versions; pages never use a CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent htmx.org@2.0.11 chart.js@4.6.1 >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
cp "$tmp"/htmx.org-2.0.11/package/dist/htmx.min.js static/vendor/htmx/htmx.min.js
cp "$tmp"/chart.js-4.6.1/package/dist/chart.umd.min.js static/vendor/chartjs/chart.umd.min.js
echo "vendored htmx 2.0.11 and chart.js 4.6.1 into static/vendor"
