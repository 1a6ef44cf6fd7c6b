#!/usr/bin/env bash
# Runs the unit and integration suites (dist/test without e2e, reliability and packaging) on
# Node 24, the current LTS, whatever Node this host has: the `node` npm package at a 24.x
# version (it ships the release binary) is installed into a temporary prefix and runs the
# tests; the CLI the tests start runs on it too (they start process.execPath). Build first
# (npm run build); dist/ does not depend on the Node that built it.
#
# Usage: packaging/test-node24.sh [VERSION]   (default 24: the newest 24.x)
# Exit: the test runner's exit code; 1 when Node 24 cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-24}
[ -d dist/test ] || { echo "dist/test missing: run npm run build" >&2; exit 1; }

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node@$version" >&2
node24="$prefix/node_modules/node/bin/node"
[ -x "$node24" ] || { echo "no node binary at $node24 after npm install node@$version" >&2; exit 1; }
running=$("$node24" -p process.versions.node)
case "$running" in
  24.*) ;;
  *) echo "node@$version gave Node $running, expected 24.x" >&2; exit 1 ;;
esac
echo "unit and integration suites on Node $running ($node24)" >&2

mapfile -t tests < <(find dist/test -name '*.test.js' \
  -not -path '*/e2e/*' -not -path '*/reliability/*' -not -path '*/packaging/*' | sort)
# Node 24 first on the PATH: a test or a fixture that runs `node` by name gets it as well.
PATH="$(dirname "$node24"):$PATH" "$node24" --test --test-concurrency=2 "${tests[@]}"
