package infra

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
)

// offlineImages answers buildkit's image metadata lookups without a
// registry: every base image is a one-layer linux image of the requested
// platform with the usual PATH. Nothing leaves the machine.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	os, arch, variant := "linux", "amd64", ""
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p := opt.ImageOpt.Platform
		os, arch, variant = p.OS, p.Architecture, p.Variant
	}
	layer := sha256.Sum256([]byte(ref))
	config, err := json.Marshal(map[string]any{
		"os": os, "architecture": arch, "variant": variant,
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(layer[:])}},
		"config": map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
	})
	return ref, "", config, err
}

// LintDockerfile runs buildkit's Dockerfile linter (the checks `docker
// build --check` runs) offline and returns every warning and build error.
func LintDockerfile(name string, dt []byte) ([]string, error) {
	ctx := context.Background()
	src := llb.Local("dockerfile")
	def, err := src.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	smap := llb.NewSourceMap(&src, name, "Dockerfile", dt)
	smap.Definition = def
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		MetaResolver: offlineImages{},
		SourceMap:    smap,
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		problems = append(problems, fmt.Sprintf("%s:%d: %s: %s (%s)", name, line, w.RuleName, w.Detail, w.URL))
	}
	if res.Error != nil {
		problems = append(problems, fmt.Sprintf("%s: %s", name, res.Error.Message))
	}
	return problems, nil
}

// DockerfileRules are the shape ImageApp's image must have, beyond lint.
func DockerfileRules(name string, dt []byte) []string {
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", name, err)}
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", name, err)}
	}
	var bad []string
	if len(stages) < 2 {
		return append(bad, fmt.Sprintf("%s: want a multi-stage build, have %d stage(s)", name, len(stages)))
	}
	names := map[string]bool{}
	for i, s := range stages {
		names[s.Name] = true
		names[fmt.Sprint(i)] = true
	}
	for _, s := range stages {
		for _, c := range s.Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" && !names[strings.ToLower(cp.From)] {
				bad = append(bad, fmt.Sprintf("%s: COPY --from=%s names no stage of this Dockerfile (an image would be pulled instead)", name, cp.From))
			}
		}
	}
	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.BaseName, "gcr.io/distroless/") && final.BaseName != "scratch" {
		bad = append(bad, fmt.Sprintf("%s: the final stage must be distroless or scratch, is %s", name, final.BaseName))
	}
	var (
		user, healthcheck, entrypoint string
		exposed, volumes, env         []string
		copiedFrom                    = map[string][]string{}
		runs                          []string
	)
	for _, s := range stages[:len(stages)-1] {
		for _, c := range s.Commands {
			if r, ok := c.(*instructions.RunCommand); ok {
				runs = append(runs, strings.Join(r.CmdLine, " "))
			}
		}
		for _, c := range s.Commands {
			if e, ok := c.(*instructions.EnvCommand); ok {
				for _, kv := range e.Env {
					runs = append(runs, kv.Key+"="+kv.Value)
				}
			}
		}
	}
	for _, c := range final.Commands {
		switch x := c.(type) {
		case *instructions.UserCommand:
			user = x.User
		case *instructions.HealthCheckCommand:
			if x.Health != nil {
				healthcheck = strings.Join(x.Health.Test, " ")
			}
		case *instructions.EntrypointCommand:
			entrypoint = strings.Join(x.CmdLine, " ")
		case *instructions.ExposeCommand:
			exposed = append(exposed, x.Ports...)
		case *instructions.VolumeCommand:
			volumes = append(volumes, x.Volumes...)
		case *instructions.EnvCommand:
			for _, kv := range x.Env {
				env = append(env, kv.Key+"="+kv.Value)
			}
		case *instructions.CopyCommand:
			copiedFrom[x.From] = append(copiedFrom[x.From], x.DestPath)
		case *instructions.RunCommand:
			bad = append(bad, fmt.Sprintf("%s: RUN in the final stage (%s): there is no shell in distroless", name, strings.Join(x.CmdLine, " ")))
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "root:") || strings.HasPrefix(user, "0:") {
		bad = append(bad, fmt.Sprintf("%s: the final stage must run as a non-root USER (nonroot or 65532), has %q", name, user))
	}
	if healthcheck != "CMD /imageapp healthcheck" {
		bad = append(bad, fmt.Sprintf("%s: want HEALTHCHECK CMD [\"/imageapp\", \"healthcheck\"], have %q", name, healthcheck))
	}
	if entrypoint != "/imageapp" {
		bad = append(bad, fmt.Sprintf("%s: want ENTRYPOINT [\"/imageapp\"], have %q", name, entrypoint))
	}
	if !slices.Contains(exposed, "3000") {
		bad = append(bad, fmt.Sprintf("%s: EXPOSE 3000 is missing", name))
	}
	if !slices.Contains(volumes, "/data") {
		bad = append(bad, fmt.Sprintf("%s: VOLUME /data is missing", name))
	}
	for _, want := range []string{"IMAGEAPP_REACT_DIR=/app/react/dist", "IMAGEAPP_DATA_DIR=/data"} {
		if !slices.Contains(env, want) {
			bad = append(bad, fmt.Sprintf("%s: ENV %s is missing in the final stage", name, want))
		}
	}
	reactCopied := false
	for _, dests := range copiedFrom {
		reactCopied = reactCopied || slices.Contains(dests, "/app/react/dist")
	}
	if !reactCopied {
		bad = append(bad, fmt.Sprintf("%s: the React build is not copied to /app/react/dist", name))
	}
	build := strings.Join(runs, "\n")
	for _, want := range []string{"CGO_ENABLED=0", "go tool templ generate -check", "go build", "npm ci", "npm run build"} {
		if !strings.Contains(build, want) {
			bad = append(bad, fmt.Sprintf("%s: the build stages never run %q", name, want))
		}
	}
	return bad
}
