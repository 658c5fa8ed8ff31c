#!/usr/bin/env bash
# The whole test suite on a fresh machine (after `npm ci`): installs the brokers the integration tests start,
# then lint (including the layering rules), typecheck, build, and every jest project. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-brokers.sh
npx eslint .
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.build.json
node scripts/package.mjs >/dev/null

mkdir -p .tmp
status=0
node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=.tmp/jest-results.json "$@" || status=$?
# One plain closing line with the counts, whatever the runner's own summary looks like.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/jest-results.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' || true
exit "$status"
