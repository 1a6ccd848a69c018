#!/usr/bin/env bash
# Post-deploy smoke test against the live site (Jenkinsfile: Smoke test),
# through the JSON API only:
#   1. the health path answers 200; the home page answers;
#   2. an invalid sign-up is refused with a 4xx;
#   3. a synthetic user signs up (a new name each run), is confirmed and
#      logs in: in AWS mode the deploy role confirms it with Cognito's
#      AdminConfirmSignUp (USER_POOL_ID), which runs the post-confirmation
#      trigger, so the new user's key and mail are provisioned as a real
#      person's are; its address is the SES mailbox simulator's
#      success+<name>@simulator.amazonses.com, which takes the code mail
#      without a bounce and without counting against the sending quota. On
#      the embedded backend (a local run) the code is read from the outbox
#      (SMOKE_OUTBOX) and confirmed with POST /api/verify;
#   4. the sender logs in and sends it a 1x1 PNG;
#   5. the synthetic user finds it in the inbox, opens it (the image
#      decrypts) and deletes it (the sender is then told 410, deleted);
#   6. the synthetic user deletes its account (DELETE /api/me), and can no
#      longer log in. On any failure after the sign-up the script still
#      tries to delete the account.
# The sender already exists (signed up and confirmed once by an operator:
# terraform/README.md); its credentials are one SecureString SSM parameter,
# read with the agent's role and kept in memory only:
#   {"sender": {"username": "smoke-a", "password": "..."}}
# (a "recipient" entry, which older versions used, is ignored).
#
# Environment: APP_URL (https://...), SMOKE_PARAMETER (SSM name), AWS_REGION,
# USER_POOL_ID (terraform output -raw user_pool_id); HEALTH_PATH (default
# /healthz). Needs curl, jq and the AWS CLI v2.
# Or, for a local run against the embedded backend: SMOKE_ACCOUNTS (the
# JSON itself) instead of SMOKE_PARAMETER, and SMOKE_OUTBOX (the app's
# outbox folder) instead of USER_POOL_ID.
set -euo pipefail
: "${APP_URL:?}"
base=${APP_URL%/}
health=${HEALTH_PATH:-/healthz}
work=$(mktemp -d)
export AWS_PAGER=""

fail() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf 'smoke: %s\n' "$*" >&2; }

if [ -z "${USER_POOL_ID:-}" ] && [ -z "${SMOKE_OUTBOX:-}" ]; then
  fail "set USER_POOL_ID (AWS: the synthetic user is confirmed with AdminConfirmSignUp) or SMOKE_OUTBOX (embedded backend: the code is read from the outbox)"
fi
if [ -n "${SMOKE_ACCOUNTS:-}" ]; then
  accounts=$SMOKE_ACCOUNTS
else
  : "${SMOKE_PARAMETER:?}"
  accounts=$(aws ssm get-parameter --name "$SMOKE_PARAMETER" --with-decryption --query Parameter.Value --output text)
fi
sender=$(jq -r '.sender.username // empty' <<<"$accounts")
[ -n "$sender" ] || fail "the accounts JSON lacks sender.username"

# The synthetic user: a new name each run (a deleted account's name is
# retired, never reused), a random password, the mailbox simulator's address.
newname="smoke-$(date +%s)-$((RANDOM % 10000))"
newpass="smoke-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
newmail="success+$newname@simulator.amazonses.com"
newuser=$(jq -cn --arg u "$newname" --arg p "$newpass" '{username: $u, password: $p}')
accounts=$(jq -c --argjson n "$newuser" '. + {new: $n}' <<<"$accounts")
created=false

# call JAR METHOD PATH [curl args...]: prints the body to $work/body, returns the status.
call() {
  local jar=$1 method=$2 path=$3
  shift 3
  curl -sS --max-time 30 -o "$work/body" -w '%{http_code}' -b "$work/$jar" -c "$work/$jar" -X "$method" "$@" "$base$path"
}
expect() { # expect WANT GOT WHAT
  [ "$2" = "$1" ] || fail "$3: HTTP $2, want $1: $(head -c 300 "$work/body")"
}
json() { # json JAR METHOD PATH BODY: a JSON request; prints the status
  call "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary @- <<<"$4"
}
credentials() { jq -c --arg who "$1" '{username: .[$who].username, password: .[$who].password}' <<<"$accounts"; }
login() { # login JAR WHO
  expect 200 "$(json "$1" POST /api/login "$(credentials "$2")")" "login as $2"
}

# On the way out: a synthetic account this run made and did not delete is
# deleted now (best effort), so failed runs leave no accounts behind.
cleanup() {
  if [ "$created" = true ]; then
    step "cleaning up: deleting $newname"
    if [ "$(json cleanup POST /api/login "$(credentials new)" 2>/dev/null)" = 200 ] &&
      [ "$(json cleanup DELETE /api/me "$(jq -cn --arg p "$newpass" '{password: $p}')" 2>/dev/null)" = 204 ]; then
      step "deleted $newname"
    else
      step "could not delete $newname (an unconfirmed sign-up expires by itself; a confirmed one: delete it by hand)"
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "health ($health) and home page"
expect 200 "$(call anon GET "$health")" "GET $health"
code=$(call anon GET /)
case "$code" in 200 | 303) ;; *) fail "GET /: HTTP $code" ;; esac

step "sign-up refuses invalid input"
code=$(json anon POST /api/signup '{"username":"","email":"","password":""}')
case "$code" in 400 | 422) ;; *) fail "POST /api/signup (invalid): HTTP $code, want 400 or 422: $(head -c 300 "$work/body")" ;; esac

step "sign up $newname"
expect 201 "$(json n POST /api/signup "$(jq -cn --arg u "$newname" --arg e "$newmail" --arg p "$newpass" '{username: $u, email: $e, password: $p}')")" "POST /api/signup"
created=true
if [ -n "${USER_POOL_ID:-}" ]; then
  # Cognito's pool username is the lowercased name (app/aws/cognitoidentity).
  aws cognito-idp admin-confirm-sign-up --user-pool-id "$USER_POOL_ID" --username "${newname,,}" ||
    fail "AdminConfirmSignUp of $newname (the post-confirmation trigger runs inside it)"
else
  mail=$(grep -l -F "To: $newmail" "$SMOKE_OUTBOX"/*.eml 2>/dev/null | sort | tail -n 1 || true)
  [ -n "$mail" ] || fail "no mail to $newmail in $SMOKE_OUTBOX"
  code=$(sed -n '/^\r\{0,1\}$/,$p' "$mail" | grep -oE '\b[0-9]{6}\b' | head -n 1 || true)
  [ -n "$code" ] || fail "no six-digit code in $mail"
  expect 200 "$(json n POST /api/verify "$(jq -cn --arg u "$newname" --arg c "$code" '{username: $u, code: $c}')")" "POST /api/verify"
fi
login n new

step "send: $sender -> $newname"
login a sender
base64 -d >"$work/smoke.png" <<<'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
expect 201 "$(call a POST /api/messages -H "Idempotency-Key: smoke-$(date +%s)-$$" \
  -F "to=$newname" -F "image=@$work/smoke.png;type=image/png" -F 'caption=smoke test')" "POST /api/messages"
id=$(jq -r '.message.id // empty' "$work/body")
[ -n "$id" ] || fail "the send answered no message id"

step "open and delete as $newname"
expect 200 "$(call n GET '/api/messages?box=inbox&status=all')" "GET /api/messages (inbox)"
jq -e --arg id "$id" '[.messages[]? | .. | objects | select(.id? == $id)] | length > 0' "$work/body" >/dev/null ||
  fail "message $id is not in $newname's inbox"
expect 200 "$(call n GET "/api/messages/$id/image")" "GET /api/messages/$id/image"
cmp -s "$work/body" "$work/smoke.png" || step "note: the opened image differs from the sent bytes (metadata stripped); it decrypted"
expect 204 "$(call n DELETE "/api/messages/$id")" "DELETE /api/messages/$id"
# The sender is told it is gone: 410 "<name> deleted this image" (404 from a
# version without tombstones).
code=$(call a GET "/api/messages/$id")
case "$code" in 410 | 404) ;; *) fail "GET /api/messages/$id after the delete (sender): HTTP $code, want 410: $(head -c 300 "$work/body")" ;; esac

step "delete the account $newname"
expect 204 "$(json n DELETE /api/me "$(jq -cn --arg p "$newpass" '{password: $p}')")" "DELETE /api/me"
created=false
code=$(json gone POST /api/login "$(credentials new)")
case "$code" in 4??) ;; *) fail "login as the deleted $newname: HTTP $code, want 4xx" ;; esac
step "passed"
