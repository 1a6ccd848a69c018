#!/usr/bin/env bash
# Installs the servers the Go tests run on loopback, and nothing if they are
# there already: Debian's redis-server, a real Redis-protocol server for the
# tests of the shared store (app/valkey, the cluster tests). Safe to run again.
set -euo pipefail
if [ ! -x /usr/bin/redis-server ]; then
  echo "service-deps: installing Debian's redis-server"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
fi
/usr/bin/redis-server --version
