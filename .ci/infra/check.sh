#!/usr/bin/env bash
# Offline checks of the deployment files: terraform/ (fmt; init, validate
# and a planning `terraform test` with the real hashicorp/aws provider from
# the machine's filesystem mirror, no credentials; HCL-parsed security
# properties), docker-compose.yml (compose-go, every profile), Dockerfile
# (buildkit's linter) and Jenkinsfile (Groovy compile + shape).
# Installs what it needs (Debian's groovy) once; safe to run again.
#   bash .ci/infra/check.sh
# TF_PROVIDER_MIRROR names the mirror (default /opt/tf-plugins, laid out as
# registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/).
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

step "terraform init + validate + test (the real AWS provider, offline)"
mirror="${TF_PROVIDER_MIRROR:-/opt/tf-plugins}"
if ! command -v terraform >/dev/null 2>&1; then
  echo "WARNING: terraform is not installed here: skipping init/validate/test (the HCL checks below still run)." >&2
elif [ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
  echo "WARNING: no hashicorp/aws provider in the mirror $mirror: skipping init/validate/test (the HCL checks below still run)." >&2
else
  tfwork="$(mktemp -d)"
  trap 'rm -rf "$tfwork"' EXIT
  # The provider comes from the mirror only: no registry, no network.
  cat > "$tfwork/cli.tfrc" <<CLIRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
CLIRC
  # -lockfile=readonly: the committed terraform/.terraform.lock.hcl must
  # already admit the mirror's provider (init fails rather than rewrite it).
  # The provider's plugin and state stay in the temporary directory.
  (
    export TF_CLI_CONFIG_FILE="$tfwork/cli.tfrc" TF_DATA_DIR="$tfwork/data" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
    terraform -chdir=terraform init -input=false -backend=false -lockfile=readonly >/dev/null
    terraform -chdir=terraform validate -no-color
    terraform -chdir=terraform test -no-color
    # tests/moved plans the configuration against a state at the addresses
    # its moved blocks name: its runs share that state (state_key), which
    # Terraform has from 1.11 (the configuration itself needs 1.7).
    tfversion=$(terraform version -json | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')
    if [ "$(printf '%s\n' 1.11.0 "$tfversion" | sort -V | head -n1)" = 1.11.0 ]; then
      terraform -chdir=terraform init -input=false -backend=false -lockfile=readonly -test-directory=tests/moved >/dev/null
      terraform -chdir=terraform test -no-color -test-directory=tests/moved
    else
      echo "WARNING: terraform $tfversion has no state_key in run blocks (1.11+): skipping tests/moved (the moved blocks)." >&2
    fi
  )
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
