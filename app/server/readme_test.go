package server

import (
	"os"
	"os/exec"
	"path/filepath"
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
