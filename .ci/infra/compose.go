package infra

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadCompose loads dir/docker-compose.yml the way `docker compose` does
// (interpolation, env files, profiles, normalization) with the given
// profiles and environment.
func LoadCompose(dir string, profiles []string, env map[string]string) (*types.Project, error) {
	var envList []string
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(envList),
		cli.WithProfiles(profiles),
	)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

// AppServiceRules are what every flavour of the app service must have:
// built from the Dockerfile, container port 3000 published, the binary's own
// healthcheck and restart unless-stopped; the embedded backend keeps its
// data in a named volume on /data.
func AppServiceRules(p *types.Project, name, backend string) []string {
	s, err := p.GetService(name)
	if err != nil {
		return []string{fmt.Sprintf("service %s is not enabled: %v", name, err)}
	}
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, name+": "+fmt.Sprintf(format, args...)) }
	if s.Build == nil || filepath.Clean(s.Build.Context) != filepath.Clean(p.WorkingDir) || s.Build.Dockerfile != "Dockerfile" {
		fail("must build . with the Dockerfile, has %+v", s.Build)
	}
	published := false
	for _, port := range s.Ports {
		published = published || (port.Target == 3000 && port.Published != "" && (port.Protocol == "" || port.Protocol == "tcp"))
	}
	if !published {
		fail("container port 3000 is not published: %+v", s.Ports)
	}
	named := false
	for _, v := range s.Volumes {
		if v.Target == "/data" && v.Type == types.VolumeTypeVolume {
			_, declared := p.Volumes[v.Source]
			named = declared && v.Source != ""
		}
	}
	if !named && backend == "local" {
		fail("/data must be a named volume declared under volumes:, has %+v", s.Volumes)
	}
	if h := s.HealthCheck; h == nil || h.Disable || !slices.Equal(h.Test, types.HealthCheckTest{"CMD", "/imageapp", "healthcheck"}) {
		fail("healthcheck must be [CMD, /imageapp, healthcheck], has %+v", h)
	}
	if s.Restart != types.RestartPolicyUnlessStopped {
		fail("restart must be unless-stopped, is %q", s.Restart)
	}
	if got := value(s.Environment["IMAGEAPP_BACKEND"]); got != backend {
		fail("IMAGEAPP_BACKEND must be %s, is %q", backend, got)
	}
	if s.Privileged || s.User == "root" || s.User == "0" {
		fail("must not run privileged or as root")
	}
	return bad
}

// AWSServiceRules: the AWS flavour reads its settings from the env file
// terraform's outputs produce, never carries access keys, runs the image
// named by IMAGEAPP_IMAGE (the tag Jenkins pushed; the instance never
// builds) and keeps nothing on the instance: no volume.
func AWSServiceRules(p *types.Project, name, envFile, image string) []string {
	s, err := p.GetService(name)
	if err != nil {
		return []string{err.Error()}
	}
	var bad []string
	fromFile := false
	for _, f := range s.EnvFiles {
		fromFile = fromFile || filepath.Base(f.Path) == envFile
	}
	if !fromFile {
		bad = append(bad, fmt.Sprintf("%s: must read env_file %s", name, envFile))
	}
	for _, k := range []string{"IMAGEAPP_COGNITO_USER_POOL_ID", "IMAGEAPP_USERS_TABLE", "IMAGEAPP_BUCKET", "IMAGEAPP_APP_KEY_ID", "AWS_REGION"} {
		if value(s.Environment[k]) == "" {
			bad = append(bad, fmt.Sprintf("%s: %s does not reach the container from %s", name, k, envFile))
		}
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if _, ok := s.Environment[k]; ok {
			bad = append(bad, fmt.Sprintf("%s: sets %s: use the instance role, never keys", name, k))
		}
	}
	if s.Image != image {
		bad = append(bad, fmt.Sprintf("%s: image must be ${IMAGEAPP_IMAGE} (the tag the instance pulls), is %q with IMAGEAPP_IMAGE=%s", name, s.Image, image))
	}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume || v.Type == types.VolumeTypeBind {
			bad = append(bad, fmt.Sprintf("%s: mounts %s on %s: nothing of AWS mode may live on the instance", name, v.Source, v.Target))
		}
	}
	return bad
}

// DevAWSRules: the emulator flavour points every AWS service the app uses
// at a service of the same compose project, and depends on them.
func DevAWSRules(p *types.Project, name string) []string {
	s, err := p.GetService(name)
	if err != nil {
		return []string{err.Error()}
	}
	var bad []string
	for _, svc := range []string{"DYNAMODB", "KMS", "SNS", "S3", "COGNITO_IDENTITY_PROVIDER"} {
		k := "AWS_ENDPOINT_URL_" + svc
		raw := value(s.Environment[k])
		u, err := url.Parse(raw)
		if raw == "" || err != nil || u.Hostname() == "" {
			bad = append(bad, fmt.Sprintf("%s: %s must point at an emulator, is %q", name, k, raw))
			continue
		}
		target, err := p.GetService(u.Hostname())
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %s names %s, which is no enabled service of this profile", name, k, u.Hostname()))
			continue
		}
		if _, ok := s.DependsOn[target.Name]; !ok && !dependsTransitively(p, s.Name, target.Name, 0) {
			bad = append(bad, fmt.Sprintf("%s: does not depend on %s", name, target.Name))
		}
	}
	if value(s.Environment["IMAGEAPP_APP_KEY_ID"]) == "" {
		bad = append(bad, name+": IMAGEAPP_APP_KEY_ID is not set: AWS mode needs the app key that wraps the cookie keys")
	}
	if v := value(s.Environment["IMAGEAPP_ALLOW_INSECURE_HTTP"]); v != "1" && v != "true" {
		bad = append(bad, name+": IMAGEAPP_ALLOW_INSECURE_HTTP must be 1: the dev stack serves plain HTTP, which AWS mode otherwise refuses")
	}
	bad = append(bad, devTablesRules(p, s)...)
	if k, s := value(s.Environment["AWS_ACCESS_KEY_ID"]), value(s.Environment["AWS_SECRET_ACCESS_KEY"]); k != "test" || s != "test" {
		bad = append(bad, fmt.Sprintf("%s: only the emulators' dummy credentials (test/test) belong here", name))
	}
	return bad
}

// CreateTablesCommand is how the dev stack makes its tables: the app's own
// subcommand over app/aws/dynamostore/schema.go (app/awscmd.go).
var CreateTablesCommand = []string{"aws", "create-tables"}

// devTablesRules: the tables of the dev stack come from the app's code, not
// a hand copy. A service runs CreateTablesCommand from the app's own build,
// with the app's table names and DynamoDB endpoint, the app waits for it to
// finish, and no service creates a table any other way.
func devTablesRules(p *types.Project, app types.ServiceConfig) []string {
	var bad []string
	var creator *types.ServiceConfig
	for _, name := range enabledNames(p) {
		s, _ := p.GetService(name)
		cmd := append(append([]string{}, s.Entrypoint...), s.Command...)
		if len(s.Command) >= len(CreateTablesCommand) && slices.Equal(s.Command[:len(CreateTablesCommand)], CreateTablesCommand) {
			creator = &s
			continue
		}
		for _, part := range cmd {
			if strings.Contains(part, "create-table") || strings.Contains(part, "CreateTable") {
				bad = append(bad, fmt.Sprintf("%s: creates a table by hand; the dev stack's tables come from `imageapp %s` (the app's schema)", name, strings.Join(CreateTablesCommand, " ")))
			}
		}
	}
	if creator == nil {
		return append(bad, fmt.Sprintf("no service runs `imageapp %s`: the dev stack's tables must come from the app's schema", strings.Join(CreateTablesCommand, " ")))
	}
	c := creator
	if c.Build == nil || app.Build == nil || filepath.Clean(c.Build.Context) != filepath.Clean(app.Build.Context) || c.Build.Dockerfile != app.Build.Dockerfile {
		bad = append(bad, fmt.Sprintf("%s: must run the app's own build (%+v), has %+v", c.Name, app.Build, c.Build))
	}
	for _, k := range []string{"IMAGEAPP_USERS_TABLE", "IMAGEAPP_MESSAGES_TABLE", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION"} {
		if got, want := value(c.Environment[k]), value(app.Environment[k]); got == "" || got != want {
			bad = append(bad, fmt.Sprintf("%s: %s is %q, the app uses %q", c.Name, k, got, want))
		}
	}
	if d, ok := app.DependsOn[c.Name]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		bad = append(bad, fmt.Sprintf("%s: must depend on %s with condition service_completed_successfully", app.Name, c.Name))
	}
	return bad
}

func dependsTransitively(p *types.Project, from, to string, depth int) bool {
	s, err := p.GetService(from)
	if err != nil || depth > 10 {
		return false
	}
	for dep := range s.DependsOn {
		if dep == to || dependsTransitively(p, dep, to, depth+1) {
			return true
		}
	}
	return false
}

func value(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}

// copyCompose puts the compose file (and optionally an env file) in a fresh
// directory, so loading it never depends on files of the work tree.
func copyCompose(dir, composeFile string, extra map[string]string) error {
	b, err := os.ReadFile(composeFile)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), b, 0o644); err != nil {
		return err
	}
	for name, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// enabledNames lists the enabled services.
func enabledNames(p *types.Project) []string {
	names := p.ServiceNames()
	slices.Sort(names)
	return names
}
