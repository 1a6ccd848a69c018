package infra

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

var repoRoot = filepath.Join("..", "..")

func mustRead(t testing.TB, path string) string {
	t.Helper()
	s, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDockerfileLintsClean(t *testing.T) {
	dt := mustRead(t, filepath.Join(repoRoot, "Dockerfile"))
	problems, err := LintDockerfile("Dockerfile", []byte(dt))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestDockerfileShape(t *testing.T) {
	dt := mustRead(t, filepath.Join(repoRoot, "Dockerfile"))
	for _, p := range DockerfileRules("Dockerfile", []byte(dt)) {
		t.Error(p)
	}
}

// TestDockerfileChecksFailOnBrokenCopies: each deliberately broken variant
// of the real Dockerfile is caught, by the linter or by the shape rules.
func TestDockerfileChecksFailOnBrokenCopies(t *testing.T) {
	real := mustRead(t, filepath.Join(repoRoot, "Dockerfile"))
	for _, b := range []struct{ name, old, new, want string }{
		{"lint: FROM/AS casing", "FROM golang:1.26-bookworm AS server", "FROM golang:1.26-bookworm as server", "FromAsCasing"},
		{"lint: shell-form ENTRYPOINT", `ENTRYPOINT ["/imageapp"]`, `ENTRYPOINT /imageapp`, "JSONArgsRecommended"},
		{"lint: secret in ENV", "    IMAGEAPP_REACT_DIR=/app/react/dist", "    IMAGEAPP_REACT_DIR=/app/react/dist \\\n    IMAGEAPP_COGNITO_CLIENT_SECRET=abc", "SecretsUsedInArgOrEnv"},
		{"lint: undefined variable", "COPY react/ ./", "COPY $REACT_SRC ./", "UndefinedVar"},
		{"rules: unknown stage", "COPY --from=client /src/react/dist /app/react/dist", "COPY --from=clinet /src/react/dist /app/react/dist", "clinet"},
		{"rules: single stage", "*", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY imageapp /imageapp\nUSER nonroot\nENTRYPOINT [\"/imageapp\"]\n", "multi-stage"},
		{"rules: final image not distroless", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM debian:12-slim", "distroless or scratch"},
		{"rules: runs as root", "USER nonroot:nonroot", "USER root", "non-root USER"},
		{"rules: no USER", "USER nonroot:nonroot\n", "", "non-root USER"},
		{"rules: no healthcheck", "HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\\n    CMD [\"/imageapp\", \"healthcheck\"]\n", "", "HEALTHCHECK"},
		{"rules: no volume", "VOLUME [\"/data\"]\n", "", "VOLUME /data"},
		{"rules: cgo on", "ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false", "ENV GOFLAGS=-buildvcs=false", "CGO_ENABLED=0"},
		{"rules: no templ check", "go tool templ generate -check", "go tool templ generate", "templ generate -check"},
		{"rules: React not copied", "COPY --from=client /src/react/dist /app/react/dist", "COPY --from=client /src/react/dist /srv/react", "/app/react/dist"},
	} {
		t.Run(b.name, func(t *testing.T) {
			broken := []byte(b.new)
			if b.old != "*" {
				if !strings.Contains(real, b.old) {
					t.Fatalf("the Dockerfile no longer contains %q: update this breaker", b.old)
				}
				broken = []byte(strings.Replace(real, b.old, b.new, 1))
			}
			problems, err := LintDockerfile("Dockerfile", broken)
			if err != nil {
				t.Fatal(err)
			}
			problems = append(problems, DockerfileRules("Dockerfile", broken)...)
			joined := strings.Join(problems, "\n")
			if !strings.Contains(joined, b.want) {
				t.Errorf("broken Dockerfile not caught (want %q), got:\n%s", b.want, joined)
			}
		})
	}
}

// TestDockerignore: what the build needs is in the context, what must never
// reach an image (data, env files, state, keys, .git) is not. Matching is
// Docker's own (moby/patternmatcher).
func TestDockerignore(t *testing.T) {
	f := mustRead(t, filepath.Join(repoRoot, ".dockerignore"))
	patterns, err := ignorefile.ReadAll(strings.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"go.mod", "go.sum", "app/main.go", "app/local/secrets.go", "app/web/upload.go",
		"views/layout.templ", "views/layout_templ.go", "static/app.css", "static/htmx.min.js", "static/hx-sse.min.js", "static/static.go",
		"react/package.json", "react/package-lock.json", "react/.npmrc", "react/index.html", "react/src/main.jsx", "react/vite.config.js"} {
		if excluded, _ := pm.MatchesOrParentMatches(keep); excluded {
			t.Errorf(".dockerignore excludes %s, which the build needs", keep)
		}
	}
	for _, drop := range []string{".git/HEAD", "data/imageapp.db", "data/secrets.json", "imageapp.db", ".env", ".env.aws", "app/.env.local",
		"terraform/terraform.tfstate", "terraform/terraform.tfvars", "terraform/.terraform/providers/x", "x.tfstate.backup",
		"react/node_modules/react/index.js", "static/node_modules/htmx.org/x.js", "react/dist/index.html", ".cache/emulators/x",
		"lambda/dist/bootstrap.zip", "deploy.pem", "id_ed25519", "imageapp"} {
		if excluded, _ := pm.MatchesOrParentMatches(drop); !excluded {
			t.Errorf(".dockerignore lets %s into the build context", drop)
		}
	}
}
