#!/usr/bin/env bash
# Installs what the browser tests (app/browser_test.go) need, and nothing if it
# is there already, so it is safe to run again:
#   - Debian's Chromium at /usr/bin/chromium (apt, as root);
#   - axe-core, pinned, into .cache/axe (git-ignored; not in any package.json
#     of the repo), which the tests inject into each page for the a11y check.
# .ci/test runs it before the Go tests; run it by hand before
# `go test -run Browser ./app` on a new machine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with axeVersion in app/browser_test.go.
AXE_VERSION=4.14.1

if [ ! -x /usr/bin/chromium ]; then
  echo "browser-deps: installing Debian's chromium"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
/usr/bin/chromium --version 2>/dev/null | grep -v '^/usr/bin/chromium:' || true

installed=$(node -p "require('./.cache/axe/node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$AXE_VERSION" ]; then
  echo "browser-deps: installing axe-core@$AXE_VERSION into .cache/axe"
  mkdir -p .cache/axe
  # A package.json of its own keeps npm from climbing to a parent project.
  [ -f .cache/axe/package.json ] || echo '{"private": true}' > .cache/axe/package.json
  npm install --prefix .cache/axe --no-audit --no-fund --loglevel=error --save-exact "axe-core@$AXE_VERSION"
fi
test -f .cache/axe/node_modules/axe-core/axe.min.js
echo "browser-deps: axe-core $AXE_VERSION in .cache/axe"
