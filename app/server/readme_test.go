package server

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCurlFlow runs the script section of the API's README
// (app/web/api/README.md) with bash and curl against a real server, so the
// documented flow cannot rot.
func TestReadmeCurlFlow(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl is needed to run the README's script (apt-get install curl): %v", err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "app", "web", "api", "README.md"))
	must(t, err)
	section := string(readme)[strings.Index(string(readme), "## Use it from a script"):]
	start := strings.Index(section, "```sh\n") + len("```sh\n")
	script := section[start : start+strings.Index(section[start:], "```")]

	work := t.TempDir()
	app := startApp(t, filepath.Join(work, "data"))
	must(t, os.WriteFile(filepath.Join(work, "cat.png"), testPNG(t, 64, 48), 0o600))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "B="+app.server.URL, "DATA=data")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "bob got alice's image") {
		t.Fatalf("the README's curl flow failed: %v\n%s", err, out)
	}
}

// TestReadmeFindsTheCode runs the root README's "First five minutes" command
// for the confirmation code in the outbox after a sign-up through the form,
// and confirms the account with the code it prints: a newcomer on the
// embedded backend finds the code where the README says.
func TestReadmeFindsTheCode(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	must(t, err)
	section := string(readme)[strings.Index(string(readme), "## First five minutes"):]
	start := strings.Index(section, "```sh\n") + len("```sh\n")
	script := section[start : start+strings.Index(section[start:], "```")]

	work := t.TempDir()
	app := startApp(t, filepath.Join(work, "data"))
	c := app.client()
	c.postForm("/signup", url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "password": {"correct horse battery"}})
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	code := regexp.MustCompile(`code is (\d{6})`).FindStringSubmatch(string(out))
	if err != nil || code == nil {
		t.Fatalf("the README's command found no code in the outbox: %v\n%s", err, out)
	}
	if r := c.postForm("/verify", url.Values{"username": {"alice"}, "code": {code[1]}}); r.url != "/inbox" {
		t.Fatalf("the code the README's command found did not confirm the account: %d at %s", r.status, r.url)
	}
	if log := app.logText(); !strings.Contains(log, `msg="mail written to outbox" file=`+filepath.Join(work, "data", "outbox")) {
		t.Errorf("the log does not name the outbox file as the README says:\n%s", log)
	}
}
