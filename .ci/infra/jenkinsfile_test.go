package infra

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var jenkinsfile = filepath.Join(repoRoot, "Jenkinsfile")

func TestJenkinsfileShape(t *testing.T) {
	for _, p := range JenkinsfileRules(mustRead(t, jenkinsfile)) {
		t.Error(p)
	}
}

// jenkinsBreakers are broken variants of the real Jenkinsfile, each caught.
var jenkinsBreakers = []struct{ label, old, new, want string }{
	{"no test stage", "    stage('Test') {\n      steps {\n        sh 'bash .ci/run'\n      }\n    }\n", "", `"test"`},
	{"other test command", "sh 'bash .ci/run'", "sh 'go test ./...'", ".ci/run"},
	{"no previous-success base", "def base = env.GIT_PREVIOUS_SUCCESSFUL_COMMIT", "def base = env.GIT_PREVIOUS_COMMIT", "GIT_PREVIOUS_SUCCESSFUL_COMMIT"},
	{"parent fallback", "          if (!base) {\n            echo 'No previous successful build of this job: building the image.'\n            env.IMAGE_CHANGED = 'true'\n            env.LAMBDA_CHANGED = 'true'\n            return\n          }\n", "          if (!base) {\n            base = 'HEAD~1'\n          }\n", "first run"},
	{"react ignored", "'react/'", "'web/'", "react/"},
	{"build always", "    stage('Build image') {\n      when {\n        environment name: 'IMAGE_CHANGED', value: 'true'\n      }\n", "    stage('Build image') {\n", "not gated"},
	{"deploy always", "    stage('Deploy') {\n      when {\n        environment name: 'IMAGE_CHANGED', value: 'true'\n      }\n", "    stage('Deploy') {\n", "not gated"},
	{"amd64 image", `docker buildx build --platform "$PLATFORM"`, "docker build", "linux/arm64"},
	{"no sha tag", `-t "$ECR_REPOSITORY:$GIT_SHA" --load`, `-t "$ECR_REPOSITORY:latest" --load`, "commit SHA"},
	{"literal password", `sh 'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY%%/*}"'`, `sh 'docker login "${ECR_REPOSITORY%%/*}" -u AWS -p hunter2'`, "command line"},
	{"stored password", `sh 'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${ECR_REPOSITORY%%/*}"'`, `withCredentials([usernamePassword(credentialsId: 'registry', usernameVariable: 'U', passwordVariable: 'REGISTRY_TOKEN')]) { sh 'printf %s "$REGISTRY_TOKEN" | docker login -u "$U" --password-stdin "${ECR_REPOSITORY%%/*}"' }`, "stored registry password"},
	{"Groovy-interpolated secret", "echo \"Changed since ${base}: image inputs changed = ${env.IMAGE_CHANGED}, Lambda inputs changed = ${env.LAMBDA_CHANGED}\"", "echo \"token ${env.REGISTRY_TOKEN}\"", "interpolated by Groovy"},
	{"no rollout", `sh 'bash terraform/deploy/rollout.sh start "$GIT_SHA"'`, `sh 'aws autoscaling start-instance-refresh --auto-scaling-group-name "$AUTOSCALING_GROUP"'`, "rollout.sh start"},
	{"tag before the rollout", `sh 'bash terraform/deploy/rollout.sh start "$GIT_SHA"'`, `sh 'aws ssm put-parameter --name "$IMAGE_TAG_PARAMETER" --value "$GIT_SHA" && bash terraform/deploy/rollout.sh start "$GIT_SHA"'`, "before the rollout is healthy"},
	{"no smoke test", "sh 'bash terraform/deploy/smoke.sh'", "echo 'skipped'", "smoke.sh"},
	{"smoke failure kept", "sh 'bash terraform/deploy/rollout.sh rollback'", "echo 'smoke test failed'", "must roll back"},
	{"smoke test without the user pool", "    USER_POOL_ID = 'eu-central-1_EXAMPLE'", "", "USER_POOL_ID"},
	{"promoted before the smoke test", "sh 'bash terraform/deploy/rollout.sh promote'", "echo 'no promote'", "promote"},
	{"Lambda by hand", "aws lambda update-function-code", "echo", "ships the Lambda"},
	{"requirements unstated", "//   - the AWS CLI v2;\n", "", "AWS CLI"},
	{"no workspace cleanup", "      cleanWs()\n", "", "cleanWs()"},
	{"no logout", `sh 'docker logout "${ECR_REPOSITORY%%/*}" || true'`, `echo 'done'`, "docker logout"},
	{"push before build", "stage('Build image')", "stage('Assemble image')", `"build"`},
}

func TestJenkinsfileChecksFailOnBrokenCopies(t *testing.T) {
	real := mustRead(t, jenkinsfile)
	for _, b := range jenkinsBreakers {
		t.Run(b.label, func(t *testing.T) {
			if !strings.Contains(real, b.old) {
				t.Fatalf("the Jenkinsfile no longer contains %q: update this breaker", b.old)
			}
			problems := strings.Join(JenkinsfileRules(strings.Replace(real, b.old, b.new, 1)), "\n")
			if !strings.Contains(problems, b.want) {
				t.Errorf("broken Jenkinsfile not caught (want %q), got:\n%s", b.want, problems)
			}
		})
	}
}

// TestJenkinsfileGroovySyntax compiles the Jenkinsfile with Groovy (what
// check.sh installs) and proves the compile check rejects a syntax error.
// Without groovy it skips, except under CI=true.
func TestJenkinsfileGroovySyntax(t *testing.T) {
	groovy, err := exec.LookPath("groovy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("groovy is not installed: .ci/infra/check.sh installs it (apt-get install groovy)")
		}
		t.Skip("groovy is not installed (run .ci/infra/check.sh)")
	}
	compile := func(path string) ([]byte, error) {
		cmd := exec.Command(groovy, "-e", "new GroovyShell().parse(new File(args[0]))", path)
		cmd.Env = append(os.Environ(), "JAVA_HOME="+javaHome())
		return cmd.CombinedOutput()
	}
	if out, err := compile(jenkinsfile); err != nil {
		t.Fatalf("Jenkinsfile does not compile: %v\n%s", err, out)
	}
	broken := filepath.Join(t.TempDir(), "Jenkinsfile")
	src := strings.Replace(mustRead(t, jenkinsfile), "stage('Test') {", "stage('Test' {", 1)
	if err := os.WriteFile(broken, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := compile(broken); err == nil {
		t.Errorf("a Jenkinsfile with a syntax error compiled:\n%s", out)
	}
}

// javaHome is JAVA_HOME, or the JDK behind the java on PATH (Debian's
// groovy script needs it when default-java is absent).
func javaHome() string {
	if h := os.Getenv("JAVA_HOME"); h != "" {
		return h
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return ""
	}
	real, err := filepath.EvalSymlinks(java)
	if err != nil {
		return ""
	}
	return filepath.Dir(filepath.Dir(real))
}
