package infra

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeAWSEnv is what `terraform output -raw app_env` plus the secret line
// look like (values are placeholders).
const fakeAWSEnv = `IMAGEAPP_BACKEND=aws
IMAGEAPP_APP_NAME=imageapp
IMAGEAPP_COGNITO_USER_POOL_ID=eu-central-1_example
IMAGEAPP_COGNITO_CLIENT_ID=exampleclientid
IMAGEAPP_USERS_TABLE=imageapp-users
IMAGEAPP_MESSAGES_TABLE=imageapp-messages
IMAGEAPP_BUCKET=imageapp-blobs-example
IMAGEAPP_APP_KEY_ID=arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-000000000000
IMAGEAPP_APP_ROLE_ARN=arn:aws:iam::123456789012:role/imageapp-app
AWS_REGION=eu-central-1
IMAGEAPP_COGNITO_CLIENT_SECRET=placeholder
`

type composeProfile struct {
	name     string   // label
	profiles []string // --profile
	service  string   // the app service of that profile
	backend  string
	envFile  map[string]string // files beside the compose file
	env      map[string]string // the environment compose runs in
}

// instanceImage is what an instance's boot script sets IMAGEAPP_IMAGE to.
const instanceImage = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/imageapp:0123456789abcdef0123456789abcdef01234567"

var composeProfiles = []composeProfile{
	{name: "default", service: "app", backend: "local"},
	{name: "aws", profiles: []string{"aws"}, service: "app-aws", backend: "aws", envFile: map[string]string{".env.aws": fakeAWSEnv},
		env: map[string]string{"IMAGEAPP_IMAGE": instanceImage}},
	{name: "dev-aws", profiles: []string{"dev-aws"}, service: "app-dev-aws", backend: "aws"},
}

// checkCompose loads the compose file at path for one profile and returns
// every rule it breaks.
func checkCompose(t *testing.T, composeFile string, pr composeProfile) []string {
	t.Helper()
	dir := t.TempDir()
	if err := copyCompose(dir, composeFile, pr.envFile); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range pr.env {
		env[k] = v
	}
	p, err := LoadCompose(dir, pr.profiles, env)
	if err != nil {
		return []string{"load: " + err.Error()}
	}
	problems := AppServiceRules(p, pr.service, pr.backend)
	switch pr.name {
	case "default":
		if names := enabledNames(p); !slices.Equal(names, []string{"app"}) {
			problems = append(problems, "the default profile must start only app, starts "+strings.Join(names, ", "))
		}
	case "aws":
		problems = append(problems, AWSServiceRules(p, pr.service, ".env.aws", pr.env["IMAGEAPP_IMAGE"])...)
	case "dev-aws":
		problems = append(problems, DevAWSRules(p, pr.service)...)
	}
	return problems
}

var composeFile = filepath.Join(repoRoot, "docker-compose.yml")

func TestComposeProfiles(t *testing.T) {
	for _, pr := range composeProfiles {
		t.Run(pr.name, func(t *testing.T) {
			for _, p := range checkCompose(t, composeFile, pr) {
				t.Error(p)
			}
		})
	}
}

// TestComposeDefaultWithoutAWSEnvFile: `docker compose up` must work on a
// fresh clone, where no .env.aws exists.
func TestComposeDefaultWithoutAWSEnvFile(t *testing.T) {
	dir := t.TempDir()
	if err := copyCompose(dir, composeFile, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCompose(dir, nil, nil); err != nil {
		t.Errorf("the default profile needs files that a fresh clone lacks: %v", err)
	}
}

// TestComposeChecksFailOnBrokenCopies: each broken variant of the compose
// file is caught for the profile it breaks.
func TestComposeChecksFailOnBrokenCopies(t *testing.T) {
	real := mustRead(t, composeFile)
	profile := func(name string) composeProfile {
		for _, p := range composeProfiles {
			if p.name == name {
				return p
			}
		}
		t.Fatalf("no profile %s", name)
		return composeProfile{}
	}
	for _, b := range []struct{ label, profile, old, new, want string }{
		{"no restart policy", "default", "  restart: unless-stopped\n", "", "restart"},
		{"wrong container port", "default", `      - "3000:3000"`, `      - "3000:8080"`, "3000"},
		{"bind mount instead of volume", "default", "      - data:/data", "      - ./data:/data", "named volume"},
		{"healthcheck disabled", "default", `    test: ["CMD", "/imageapp", "healthcheck"]`, `    test: ["NONE"]`, "healthcheck"},
		{"app given a profile", "default", "  app:\n    <<: *app\n", "  app:\n    <<: *app\n    profiles: [local]\n", "not enabled"},
		{"emulator without profile", "default", "  dynamodb:\n    profiles: [dev-aws]\n", "  dynamodb:\n", "start only app"},
		{"aws: no env file", "aws", "    env_file:\n      - path: .env.aws\n        required: true\n", "", ".env.aws"},
		{"aws: access keys", "aws", "    environment:\n      IMAGEAPP_BACKEND: aws\n    ports:\n      - \"${IMAGEAPP_PUBLISH_PORT:-3000}:3000\"\n", "    environment:\n      IMAGEAPP_BACKEND: aws\n      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n    ports:\n      - \"${IMAGEAPP_PUBLISH_PORT:-3000}:3000\"\n", "never keys"},
		{"aws: a volume on the instance", "aws", "    environment:\n      IMAGEAPP_BACKEND: aws\n    ports:\n      - \"${IMAGEAPP_PUBLISH_PORT:-3000}:3000\"\n", "    environment:\n      IMAGEAPP_BACKEND: aws\n    ports:\n      - \"${IMAGEAPP_PUBLISH_PORT:-3000}:3000\"\n    volumes:\n      - data:/data\n", "nothing of AWS mode"},
		{"aws: built, not pulled by tag", "aws", "    image: ${IMAGEAPP_IMAGE:-imageapp:local}\n", "", "IMAGEAPP_IMAGE"},
		{"aws: local backend", "aws", "    environment:\n      IMAGEAPP_BACKEND: aws\n    ports:", "    environment:\n      IMAGEAPP_BACKEND: local\n    ports:", "IMAGEAPP_BACKEND"},
		{"dev-aws: endpoint to nowhere", "dev-aws", "http://dynamodb:8000\n      AWS_ENDPOINT_URL_KMS", "http://dynamo:8000\n      AWS_ENDPOINT_URL_KMS", "dynamo"},
		{"dev-aws: no app key", "dev-aws", "      IMAGEAPP_APP_KEY_ID: alias/imageapp/app # made by dev-aws-init in local-kms; wraps the cookie keys\n", "", "IMAGEAPP_APP_KEY_ID"},
		{"dev-aws: no dependency", "dev-aws", "      sns:\n        condition: service_started\n", "", "depend on sns"},
		{"dev-aws: https refused", "dev-aws", "      IMAGEAPP_ALLOW_INSECURE_HTTP: \"1\" # a dev stack on localhost; AWS mode refuses http:// otherwise\n", "", "IMAGEAPP_ALLOW_INSECURE_HTTP"},
		{"dev-aws: tables by hand", "dev-aws", "    command: [\"aws\", \"create-tables\", \"-wait\", \"60s\"]\n", "    command: [\"sh\", \"-c\", \"aws dynamodb create-table --table-name imageapp-users\"]\n", "create-tables"},
		{"dev-aws: tables of another name", "dev-aws", "      IMAGEAPP_USERS_TABLE: imageapp-users\n      IMAGEAPP_MESSAGES_TABLE: imageapp-messages\n      AWS_REGION: us-east-1\n      AWS_ACCESS_KEY_ID: test # emulator dummy\n      AWS_SECRET_ACCESS_KEY: test # emulator dummy\n      AWS_EC2_METADATA_DISABLED: \"true\"\n      AWS_ENDPOINT_URL_DYNAMODB", "      IMAGEAPP_USERS_TABLE: dev-users\n      IMAGEAPP_MESSAGES_TABLE: imageapp-messages\n      AWS_REGION: us-east-1\n      AWS_ACCESS_KEY_ID: test # emulator dummy\n      AWS_SECRET_ACCESS_KEY: test # emulator dummy\n      AWS_EC2_METADATA_DISABLED: \"true\"\n      AWS_ENDPOINT_URL_DYNAMODB", "IMAGEAPP_USERS_TABLE"},
		{"dev-aws: app does not wait for the tables", "dev-aws", "      dev-aws-tables:\n        condition: service_completed_successfully\n", "", "dev-aws-tables"},
		{"dev-aws: real-looking keys", "dev-aws", "      AWS_SECRET_ACCESS_KEY: test # emulator dummy\n      AWS_EC2", "      AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n      AWS_EC2", "dummy credentials"},
	} {
		t.Run(b.label, func(t *testing.T) {
			if !strings.Contains(real, b.old) {
				t.Fatalf("docker-compose.yml no longer contains %q: update this breaker", b.old)
			}
			path := filepath.Join(t.TempDir(), "docker-compose.yml")
			if err := os.WriteFile(path, []byte(strings.Replace(real, b.old, b.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(checkCompose(t, path, profile(b.profile)), "\n")
			if !strings.Contains(problems, b.want) {
				t.Errorf("broken compose file not caught (want %q), got:\n%s", b.want, problems)
			}
		})
	}
}
