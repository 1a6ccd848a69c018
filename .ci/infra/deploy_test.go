package infra

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var prodComposeFile = filepath.Join(repoRoot, "terraform", "compose.prod.yml")

// prodComposeRules loads a production compose file the way an instance
// does (beside .env.aws, IMAGEAPP_IMAGE set) and returns the rules it breaks.
func prodComposeRules(t *testing.T, path string) []string {
	t.Helper()
	dir := t.TempDir()
	if err := copyCompose(dir, path, map[string]string{".env.aws": fakeAWSEnv}); err != nil {
		t.Fatal(err)
	}
	p, err := LoadCompose(dir, nil, map[string]string{"IMAGEAPP_IMAGE": instanceImage})
	if err != nil {
		return []string{"load: " + err.Error()}
	}
	var problems []string
	for _, r := range AppServiceRules(p, "app", "aws") {
		if !strings.Contains(r, "must build") { // instances pull by tag, never build
			problems = append(problems, r)
		}
	}
	problems = append(problems, AWSServiceRules(p, "app", ".env.aws", instanceImage)...)
	if names := enabledNames(p); !slices.Equal(names, []string{"app"}) {
		problems = append(problems, "the production compose file must hold the app only (no emulators, no dev stack), holds "+strings.Join(names, ", "))
	}
	if s, err := p.GetService("app"); err == nil && s.Build != nil {
		problems = append(problems, "app: the production compose file must not build")
	}
	// Without IMAGEAPP_IMAGE it must refuse, never fall back to a local build.
	if _, err := LoadCompose(dir, nil, nil); err == nil {
		problems = append(problems, "app: loads without IMAGEAPP_IMAGE (must be ${IMAGEAPP_IMAGE:?...})")
	}
	return problems
}

func TestProdCompose(t *testing.T) {
	for _, p := range prodComposeRules(t, prodComposeFile) {
		t.Error(p)
	}
}

func TestProdComposeChecksFailOnBrokenCopies(t *testing.T) {
	real := mustRead(t, prodComposeFile)
	for _, b := range []struct{ label, old, new, want string }{
		{"an emulator too", "services:\n", "services:\n  dynamodb:\n    image: amazon/dynamodb-local:2.6.1\n", "app only"},
		{"a default image", "${IMAGEAPP_IMAGE:?set IMAGEAPP_IMAGE to <registry>/imageapp:<commit sha>}", "${IMAGEAPP_IMAGE:-imageapp:local}", "without IMAGEAPP_IMAGE"},
		{"no env file", "    env_file:\n      - path: .env.aws\n        required: true\n", "", ".env.aws"},
		{"local backend", "      IMAGEAPP_BACKEND: aws\n", "      IMAGEAPP_BACKEND: local\n", "IMAGEAPP_BACKEND"},
	} {
		t.Run(b.label, func(t *testing.T) {
			if !strings.Contains(real, b.old) {
				t.Fatalf("compose.prod.yml no longer contains %q: update this breaker", b.old)
			}
			path := filepath.Join(t.TempDir(), "compose.prod.yml")
			if err := os.WriteFile(path, []byte(strings.Replace(real, b.old, b.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			if problems := strings.Join(prodComposeRules(t, path), "\n"); !strings.Contains(problems, b.want) {
				t.Errorf("broken compose.prod.yml not caught (want %q), got:\n%s", b.want, problems)
			}
		})
	}
}

// stubAWS is a fake AWS CLI: it logs every call to $STUB_LOG and answers
// as $STUB_* say (the launch template's default version 7 runs tag "old").
const stubAWS = `#!/usr/bin/env bash
printf '%s\n' "$*" >>"$STUB_LOG"
case "$1 $2" in
  "ec2 describe-launch-template-versions")
    case "$*" in
      *VersionNumber*) echo 7 ;;
      *) echo '[{"ResourceType":"instance","Tags":[{"Key":"Name","Value":"imageapp-app"},{"Key":"image-tag","Value":"old"}]},{"ResourceType":"volume","Tags":[{"Key":"Name","Value":"imageapp-app"}]}]' ;;
    esac ;;
  "ec2 create-launch-template-version") printf '%s\n' "$*" >"$STUB_DIR/created"; echo 8 ;;
  "autoscaling start-instance-refresh")
    n=$(cat "$STUB_DIR/starts" 2>/dev/null || echo 0); echo $((n + 1)) >"$STUB_DIR/starts"
    if [ "$n" = 0 ] && [ "${STUB_START:-ok}" = refuse ]; then echo "An error occurred (InstanceRefreshInProgress)" >&2; exit 254; fi
    echo "refresh-$((n + 1))" ;;
  "autoscaling describe-instance-refreshes")
    case "$*" in
      *refresh-1*) echo "${STUB_STATUS:-Successful}" ;;
      *) echo Successful ;;
    esac ;;
  *) ;;
esac
`

// runRollout runs terraform/deploy/rollout.sh with the stub CLI and
// returns its exit error and the calls the stub saw.
func runRollout(t *testing.T, env []string, args ...string) (error, string) {
	t.Helper()
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(stubAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "calls")
	state := filepath.Join(dir, "rollout.env")
	script, err := filepath.Abs(filepath.Join(repoRoot, "terraform", "deploy", "rollout.sh"))
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for _, a := range [][]string{args} {
		cmd := exec.Command("bash", append([]string{script}, a...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "STUB_LOG="+log, "STUB_DIR="+dir,
			"AWS_REGION=eu-central-1", "AUTOSCALING_GROUP=imageapp-app", "LAUNCH_TEMPLATE_ID=lt-0123", "IMAGE_TAG_PARAMETER=/imageapp/image-tag",
			`ROLLOUT_PREFERENCES={"MinHealthyPercentage":100,"CheckpointPercentages":[10,50,100],"CheckpointDelay":300,"AutoRollback":true,"AlarmSpecification":{"Alarms":["a"]}}`,
			"ROLLOUT_STATE="+state, "ROLLOUT_POLL=0")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		t.Logf("rollout.sh %v: %v\n%s", a, err, out)
		lastErr = err
	}
	calls, _ := os.ReadFile(log)
	if b, err := os.ReadFile(filepath.Join(dir, "created")); err == nil && !strings.Contains(string(b), `{"Key":"image-tag","Value":"newsha"}`) {
		t.Errorf("the new launch template version does not carry the new tag: %s", b)
	}
	return lastErr, string(calls)
}

// TestRolloutNeverRecordsAFailedTag shows the rollout with a stub AWS CLI:
// a refused, rolled-back or cancelled refresh never writes the tag (the
// old pipeline wrote it first, and left it live when the refresh was
// refused), and a cancelled one puts the instances back on the previous
// version; only a successful one proceeds, and even then the tag is
// recorded only by promote, after the smoke test.
func TestRolloutNeverRecordsAFailedTag(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     []string
		ok      bool
		want    []string // calls that must happen
		notWant []string // calls that must not
	}{
		{"refused", []string{"STUB_START=refuse"}, false, []string{"ec2 delete-launch-template-versions --launch-template-id lt-0123 --versions 8"}, []string{"ssm put-parameter", "modify-launch-template"}},
		{"rolled back by AWS", []string{"STUB_STATUS=RollbackSuccessful"}, false, []string{"ec2 delete-launch-template-versions"}, []string{"ssm put-parameter", "modify-launch-template"}},
		{"cancelled", []string{"STUB_STATUS=Cancelled"}, false, []string{`"Version":"7"`, `"SkipMatching":true`, "ec2 delete-launch-template-versions"}, []string{"ssm put-parameter", "modify-launch-template"}},
		{"successful", nil, true, []string{`"Version":"8"`, `"AutoRollback":true`, `"CheckpointPercentages":[10,50,100]`}, []string{"ssm put-parameter", "modify-launch-template", "delete-launch-template-versions"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err, calls := runRollout(t, c.env, "start", "newsha")
			if (err == nil) != c.ok {
				t.Errorf("exit error %v, want success = %v", err, c.ok)
			}
			for _, w := range c.want {
				if !strings.Contains(calls, w) {
					t.Errorf("no call with %q; calls:\n%s", w, calls)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(calls, w) {
					t.Errorf("a call with %q; calls:\n%s", w, calls)
				}
			}
		})
	}
}
