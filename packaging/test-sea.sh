#!/usr/bin/env bash
# Runs integration tests against the single executable (build/sea/healthcheckd-linux-<arch>)
# instead of `node dist/bundle/healthcheckd.mjs`, on a PATH that holds every program of this host but node:
# the host the executable is for. The test runner itself is started by its absolute path.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(node -p process.arch)
export HEALTHCHECKD_BIN="$PWD/build/sea/healthcheckd-linux-$arch"
[ -x "$HEALTHCHECKD_BIN" ] || { echo "$HEALTHCHECKD_BIN missing: run npm run build:sea" >&2; exit 1; }
# The executable's checks must go through the helper beside it, as they do where it is installed.
helper="$PWD/build/sea/healthcheckd-spawn-helper"
[ -x "$helper" ] || { echo "$helper missing: run npm run build:sea" >&2; exit 1; }
node_bin=$(command -v node)
nonode=$(mktemp -d)
chmod 755 "$nonode" # checks run as `user = nobody` look their programs up here too
trap 'rm -rf "$nonode"' EXIT
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  [ -d "$dir" ] || continue
  for program in "$dir"/*; do
    name=$(basename "$program")
    case "$name" in node | nodejs | npm | npx | corepack) continue ;; esac
    [ -e "$nonode/$name" ] || ln -s "$program" "$nonode/$name"
  done
done
if PATH="$nonode" command -v node >/dev/null; then
  echo "node is still on the PATH for the executable" >&2
  exit 1
fi
PATH="$nonode" "$node_bin" --test --test-concurrency=2 \
  dist/test/integration/serve.test.js \
  dist/test/integration/command-check.test.js \
  dist/test/integration/many-checks.test.js \
  dist/test/integration/operations.test.js \
  dist/test/integration/config-cli.test.js \
  dist/test/integration/check-names.test.js \
  dist/test/integration/grpc.test.js
