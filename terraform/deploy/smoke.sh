#!/usr/bin/env bash
# Post-deploy smoke test against the live site (Jenkinsfile: Smoke test),
# through the JSON API only:
#   1. the health path answers 200; the home page answers;
#   2. sign-up answers: an invalid sign-up is refused with a 4xx (a real
#      sign-up would mail a code that a script cannot read in AWS mode);
#   3. the sender logs in and sends a 1x1 PNG to the recipient;
#   4. the recipient logs in, finds it in the inbox, opens it (the image
#      decrypts) and deletes it (gone for both).
# The two synthetic accounts already exist (signed up and confirmed once by
# an operator: terraform/README.md); their credentials are one SecureString
# SSM parameter, read with the agent's role and kept in memory only:
#   {"sender":    {"username": "smoke-a", "password": "..."},
#    "recipient": {"username": "smoke-b", "password": "..."}}
#
# Environment: APP_URL (https://...), SMOKE_PARAMETER (SSM name), AWS_REGION;
# HEALTH_PATH (default /healthz). Needs curl, jq and the AWS CLI v2.
# Or SMOKE_ACCOUNTS (the JSON itself) instead of SMOKE_PARAMETER, for a
# stack whose accounts are not in SSM (a local run).
set -euo pipefail
: "${APP_URL:?}"
base=${APP_URL%/}
health=${HEALTH_PATH:-/healthz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AWS_PAGER=""

fail() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf 'smoke: %s\n' "$*" >&2; }

if [ -n "${SMOKE_ACCOUNTS:-}" ]; then
  accounts=$SMOKE_ACCOUNTS
else
  : "${SMOKE_PARAMETER:?}"
  accounts=$(aws ssm get-parameter --name "$SMOKE_PARAMETER" --with-decryption --query Parameter.Value --output text)
fi
field() { jq -r --arg who "$1" --arg f "$2" '.[$who][$f] // empty' <<<"$accounts"; }
sender=$(field sender username)
recipient=$(field recipient username)
[ -n "$sender" ] && [ -n "$recipient" ] || fail "the accounts JSON lacks sender/recipient usernames"

# call JAR METHOD PATH [curl args...]: prints the body to $work/body, returns the status.
call() {
  local jar=$1 method=$2 path=$3
  shift 3
  curl -sS --max-time 30 -o "$work/body" -w '%{http_code}' -b "$work/$jar" -c "$work/$jar" -X "$method" "$@" "$base$path"
}
expect() { # expect WANT GOT WHAT
  [ "$2" = "$1" ] || fail "$3: HTTP $2, want $1: $(head -c 300 "$work/body")"
}
login() { # login JAR WHO
  local body
  body=$(jq -c --arg who "$2" '{username: .[$who].username, password: .[$who].password}' <<<"$accounts")
  expect 200 "$(call "$1" POST /api/login -H 'Content-Type: application/json' --data-binary @- <<<"$body")" "login as $2"
}

step "health ($health) and home page"
expect 200 "$(call anon GET "$health")" "GET $health"
code=$(call anon GET /)
case "$code" in 200 | 303) ;; *) fail "GET /: HTTP $code" ;; esac

step "sign-up answers (an invalid one is refused, nothing is created)"
code=$(call anon POST /api/signup -H 'Content-Type: application/json' --data-binary '{"username":"","email":"","password":""}')
case "$code" in 400 | 422) ;; *) fail "POST /api/signup (invalid): HTTP $code, want 400 or 422: $(head -c 300 "$work/body")" ;; esac

step "send: $sender -> $recipient"
login a sender
base64 -d >"$work/smoke.png" <<<'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
expect 201 "$(call a POST /api/messages -H "Idempotency-Key: smoke-$(date +%s)-$$" \
  -F "to=$recipient" -F "image=@$work/smoke.png;type=image/png" -F 'caption=smoke test')" "POST /api/messages"
id=$(jq -r '.message.id // empty' "$work/body")
[ -n "$id" ] || fail "the send answered no message id"

step "open and delete as $recipient"
login b recipient
expect 200 "$(call b GET '/api/messages?box=inbox&status=all')" "GET /api/messages (inbox)"
jq -e --arg id "$id" '[.messages[]? | .. | objects | select(.id? == $id)] | length > 0' "$work/body" >/dev/null ||
  fail "message $id is not in $recipient's inbox"
expect 200 "$(call b GET "/api/messages/$id/image")" "GET /api/messages/$id/image"
cmp -s "$work/body" "$work/smoke.png" || step "note: the opened image differs from the sent bytes (metadata stripped); it decrypted"
expect 204 "$(call b DELETE "/api/messages/$id")" "DELETE /api/messages/$id"
expect 404 "$(call a GET "/api/messages/$id")" "GET /api/messages/$id after the delete (sender)"
step "passed"
