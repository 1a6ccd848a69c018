#!/usr/bin/env bash
# AWS mode on your machine, without an AWS account. Installs the emulators on
# first run (a few minutes, cached in .cache/emulators), starts them, creates
# the Cognito pool and client, the DynamoDB tables and the S3 bucket, and runs
# the app with IMAGEAPP_BACKEND=aws on :3000. Confirmation codes are 123456.
# Flags: -addr :8080, -emulators-only. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec go run ./app/awstest/cmd/devstack "$@"
