#!/usr/bin/env bash
# The whole test suite on a fresh machine (after `npm ci`): installs the brokers the integration tests start and
# the real peers (scripts/peers.sh), then lint (including the layering rules), typecheck, build, and every jest project. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-brokers.sh
# The real peers (daprd, Kafka, Node 16): built or fetched once into the peer cache, reused after that.
bash scripts/peers.sh
npx eslint .
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.build.json
node scripts/package.mjs >/dev/null

mkdir -p .tmp
status=0
# A handle a test leaves open keeps jest alive after its run: bounded, so it fails here instead of hanging CI.
timeout --kill-after=30s 40m node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=.tmp/jest-results.json "$@" || status=$?
if [ "$status" = 124 ] || [ "$status" = 137 ]; then echo "jest did not exit within 40 minutes: a test left a handle open (run with --detectOpenHandles)"; fi
# One plain closing line with the counts, whatever the runner's own summary looks like.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/jest-results.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' || true
exit "$status"
