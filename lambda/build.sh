#!/usr/bin/env bash
# Builds the Cognito post-confirmation trigger for the provided.al2023 runtime
# (arm64): dist/bootstrap and dist/bootstrap.zip, which terraform deploys.
set -euo pipefail
cd "$(dirname "$0")"
GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o dist/bootstrap . && (cd dist && zip bootstrap.zip bootstrap)
