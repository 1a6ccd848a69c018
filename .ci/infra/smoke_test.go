package infra

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// smokeApp is the app on the embedded backend, built from this checkout
// and started on loopback, with the smoke test's sender signed up.
type smokeApp struct {
	url, outbox string
}

const smokeSender = `{"sender":{"username":"smoke-a","password":"correct horse battery"}}`

// startSmokeApp builds ./app, starts it on a free port with its own data
// folder and signs up and confirms smoke-a through the JSON API.
func startSmokeApp(t *testing.T) smokeApp {
	t.Helper()
	for _, tool := range []string{"jq", "curl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "imageapp")
	build := exec.Command("go", "build", "-o", bin, "./app")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./app: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	app := smokeApp{url: "http://" + addr, outbox: filepath.Join(dir, "data", "outbox")}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "IMAGEAPP_BACKEND=local", "IMAGEAPP_ADDR="+addr, "IMAGEAPP_DATA_DIR="+filepath.Join(dir, "data"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(app.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app did not get ready in 60 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	post := func(path string, body any, want int) {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(app.url+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("POST %s: HTTP %d, want %d", path, resp.StatusCode, want)
		}
	}
	post("/api/signup", map[string]string{"username": "smoke-a", "email": "smoke-a@example.com", "password": "correct horse battery"}, http.StatusCreated)
	post("/api/verify", map[string]string{"username": "smoke-a", "code": outboxCode(t, app.outbox, "smoke-a@example.com")}, http.StatusOK)
	return app
}

// outboxCode is the six-digit code in the newest outbox mail to address.
func outboxCode(t *testing.T, outbox, address string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	for i := len(files) - 1; i >= 0; i-- {
		b, err := os.ReadFile(files[i])
		if err != nil || !strings.Contains(string(b), "To: "+address) {
			continue
		}
		if m := regexp.MustCompile(`\b[0-9]{6}\b`).Find(b[bytes.Index(b, []byte("\r\n\r\n")):]); m != nil {
			return string(m)
		}
	}
	t.Fatalf("no code mailed to %s in %s", address, outbox)
	return ""
}

// stubCognito is a fake AWS CLI for the smoke test's AWS branch: it logs
// each call and answers admin-confirm-sign-up by confirming the code the
// embedded app mailed to the synthetic user's simulator address.
const stubCognito = `#!/usr/bin/env bash
printf '%s\n' "$*" >>"$STUB_LOG"
[ "$1 $2" = "cognito-idp admin-confirm-sign-up" ] || exit 0
while [ $# -gt 0 ]; do case "$1" in --username) user=$2; shift ;; esac; shift; done
mail=$(grep -l -F "To: success+$user@simulator.amazonses.com" "$STUB_OUTBOX"/*.eml | sort | tail -n 1)
code=$(sed -n '/^\r\{0,1\}$/,$p' "$mail" | grep -oE '\b[0-9]{6}\b' | head -n 1)
curl -sf -o /dev/null -H 'Content-Type: application/json' \
  --data-binary "{\"username\":\"$user\",\"code\":\"$code\"}" "$STUB_APP_URL/api/verify"
`

// TestSmokeTestAgainstTheApp runs terraform/deploy/smoke.sh against the app
// itself (embedded backend): a synthetic user signs up, is confirmed, is
// sent an image, opens and deletes it, and deletes its account. Against a
// stub of the AWS CLI it confirms through AdminConfirmSignUp as in AWS
// mode. A wrong sender password fails the run, and the synthetic account is
// deleted all the same; without a way to confirm it refuses to start.
func TestSmokeTestAgainstTheApp(t *testing.T) {
	app := startSmokeApp(t)
	script, err := filepath.Abs(filepath.Join(repoRoot, "terraform", "deploy", "smoke.sh"))
	if err != nil {
		t.Fatal(err)
	}
	stubDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(stubDir, "aws"), []byte(stubCognito), 0o755); err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(stubDir, "calls")
	base := []string{"APP_URL=" + app.url, "HEALTH_PATH=/readyz", "USER_POOL_ID=", "SMOKE_OUTBOX=", "SMOKE_PARAMETER="}
	for _, c := range []struct {
		name string
		env  []string
		ok   bool
		want []string // in the script's output
	}{
		{"embedded, code from the outbox", []string{"SMOKE_ACCOUNTS=" + smokeSender, "SMOKE_OUTBOX=" + app.outbox}, true,
			[]string{"sign up smoke-", "open and delete as smoke-", "delete the account smoke-", "passed"}},
		{"AWS, AdminConfirmSignUp", []string{"SMOKE_ACCOUNTS=" + smokeSender, "USER_POOL_ID=eu-central-1_Test",
			"PATH=" + stubDir + ":" + os.Getenv("PATH"), "STUB_LOG=" + calls, "STUB_OUTBOX=" + app.outbox, "STUB_APP_URL=" + app.url}, true,
			[]string{"delete the account smoke-", "passed"}},
		{"a sender that cannot log in", []string{"SMOKE_ACCOUNTS=" + strings.Replace(smokeSender, "correct horse battery", "wrong password!", 1),
			"SMOKE_OUTBOX=" + app.outbox}, false, []string{"FAILED: login as sender", "deleted smoke-"}},
		{"no way to confirm", []string{"SMOKE_ACCOUNTS=" + smokeSender}, false, []string{"set USER_POOL_ID"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("bash", script)
			cmd.Env = append(append(os.Environ(), base...), c.env...)
			out, err := cmd.CombinedOutput()
			t.Logf("smoke.sh: %v\n%s", err, out)
			if (err == nil) != c.ok {
				t.Errorf("exit error %v, want success = %v", err, c.ok)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q", w)
				}
			}
		})
	}
	log, _ := os.ReadFile(calls)
	if !regexp.MustCompile(`(?m)^cognito-idp admin-confirm-sign-up --user-pool-id eu-central-1_Test --username smoke-[0-9]+-[0-9]+$`).Match(log) {
		t.Errorf("the AWS branch did not confirm the synthetic user with AdminConfirmSignUp; calls:\n%s", log)
	}
}
