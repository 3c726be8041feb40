#!/usr/bin/env bash
# Playwright cannot download its own browsers here: use Debian's Chromium, installing it when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the e2e tests…"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null || {
    echo "could not install chromium (apt-get install -y chromium)"; exit 1; }
fi
# Vite copies public/ (datasets included) into dist/, so prepare before building.
node scripts/prepare.mjs || exit 1
[ -f dist/index.html ] && [ -f dist/.vite/manifest.json ] && [ -f dist/datasets/mnist/meta.json ] && [ -z "${CONVAS_REBUILD:-}" ] && [ "$(find src nodes presets index.html vite.config.ts -newer dist/index.html -print -quit 2>/dev/null)" = "" ] || npx vite build --logLevel warn || exit 1
# The first screen's JS against its budget (reads the build's manifest; a second or so). A failure does not stop the stories.
npx tsx scripts/first-load-budget.ts dist
budget=$?
mkdir -p test-results
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/e2e.json npx playwright test --reporter=list,json "$@"
e2e=$?
[ $budget -eq 0 ] && exit $e2e
exit 1
