#!/usr/bin/env bash
# Every test: types, unit/property (Vitest), then e2e (Playwright in Debian's Chromium).
# Ends with one line "N passed, N failed" counting both runners.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
[ -d node_modules ] || npm ci
node scripts/prepare.mjs || exit 1

echo "== typecheck"
npx tsc --noEmit -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

bash scripts/python-deps.sh

echo "== unit"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
unit=$?

echo "== e2e"
bash scripts/e2e.sh
e2e=$?

node scripts/test-summary.mjs test-results/unit.json test-results/e2e.json
[ $unit -eq 0 ] && [ $e2e -eq 0 ]
