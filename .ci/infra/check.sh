#!/usr/bin/env bash
# Offline checks of the deployment files: terraform/ (fmt + HCL-parsed
# security properties), docker-compose.yml (compose-go, every profile),
# Dockerfile (buildkit's linter) and Jenkinsfile (Groovy compile + shape).
# Installs what it needs (Debian's groovy) once; safe to run again.
#   bash .ci/infra/check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
step() { printf '\n--- infra: %s\n' "$*"; }

step "terraform fmt"
if command -v terraform >/dev/null 2>&1; then
  # No CLI config is needed for fmt; /dev/null keeps a missing ~/.terraformrc quiet.
  TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff terraform
  echo "terraform fmt: clean"
else
  echo "WARNING: terraform is not installed here: skipping 'terraform fmt -check' (the HCL checks below still run)." >&2
fi

step "Jenkinsfile compiles (Groovy)"
if ! command -v groovy >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "groovy is missing and cannot be installed here (needs root and apt-get): apt-get install groovy" >&2
    exit 1
  fi
  echo "installing groovy from Debian's packages (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends groovy >/dev/null
fi
if [ -z "${JAVA_HOME:-}" ]; then
  # Debian's groovy looks for default-java, which a JDK from elsewhere lacks.
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi
groovy -e 'new GroovyShell().parse(new File(args[0]))' Jenkinsfile
echo "Jenkinsfile: compiles"

step "go test (.ci/infra: terraform, compose, Dockerfile, Jenkinsfile)"
cd "$here"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then echo "gofmt needed in .ci/infra: $unformatted" >&2; exit 1; fi
# go test runs go vet's default checks on the package; a separate go vet
# would compile buildkit's large dependency tree a second time.
go test -count=1 ./...
