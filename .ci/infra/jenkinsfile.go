package infra

import (
	"fmt"
	"regexp"
	"strings"
)

// JenkinsStage is one stage('name') { ... } of a declarative pipeline.
type JenkinsStage struct {
	Name string
	Body string
}

var (
	lineComment  = regexp.MustCompile(`(?m)^\s*//.*$|\s+//[^'"\n]*$`)
	stageStart   = regexp.MustCompile(`stage\(\s*['"]([^'"]+)['"]\s*\)\s*\{`)
	postAlways   = regexp.MustCompile(`post\s*\{\s*always\s*\{`)
	secretRef    = regexp.MustCompile(`\$\{?(env\.)?[A-Z_]*(TOKEN|PASSWORD|PASSWD|SECRET)[A-Z_]*\b`)
	literalLogin = regexp.MustCompile(`docker\s+login[^\n]*\s(-p|--password)(\s|=)`)
)

// stripComments drops // comments (whole lines, and trailing ones after
// whitespace, which leaves URLs inside strings alone).
func stripComments(src string) string { return lineComment.ReplaceAllString(src, "") }

// block returns the text between the brace at open and its match.
func block(src string, open int) string {
	depth := 0
	var quote byte
	for i := open; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return src[open+1 : i]
			}
		}
	}
	return src[open+1:]
}

// JenkinsStages lists the stages of a Jenkinsfile in order.
func JenkinsStages(src string) []JenkinsStage {
	src = stripComments(src)
	var out []JenkinsStage
	for _, m := range stageStart.FindAllStringSubmatchIndex(src, -1) {
		out = append(out, JenkinsStage{Name: src[m[2]:m[3]], Body: block(src, m[1]-1)})
	}
	return out
}

// ImageInputs are the paths whose change means a new image.
var ImageInputs = []string{"app/", "views/", "static/", "react/", "go.mod", "go.sum", "Dockerfile"}

// AgentRequirements are what the Jenkinsfile's header must say the agent
// needs, by a word each.
var AgentRequirements = []string{"Agent requirements", "buildx", "arm64", "AWS CLI", "deploy_policy_arn", "get-login-password"}

// JenkinsfileRules checks the pipeline's shape: the stages, how changes are
// detected (a first run builds), that build, push and deploy are gated on
// them, the arm64 buildx build tagged with the commit SHA, the registry
// login from the agent's role, the rollout by tag, and cleanup.
func JenkinsfileRules(raw string) []string {
	src := stripComments(raw)
	var bad []string
	if !regexp.MustCompile(`(?m)^pipeline\s*\{`).MatchString(src) {
		bad = append(bad, "not a declarative pipeline (pipeline { ... })")
	}
	for _, want := range AgentRequirements {
		if !strings.Contains(raw, want) {
			bad = append(bad, "the Jenkinsfile does not state the agent's requirements: "+want+" is not mentioned")
		}
	}
	stages := JenkinsStages(raw)
	find := func(word string) (JenkinsStage, bool) {
		for _, s := range stages {
			name := strings.ToLower(s.Name)
			if word == "test" && strings.Contains(name, "smoke") {
				continue // the post-deploy smoke test is not the test stage
			}
			if strings.Contains(name, word) {
				return s, true
			}
		}
		return JenkinsStage{}, false
	}
	order := []string{}
	for _, want := range []string{"checkout", "test", "change", "build", "push", "deploy"} {
		s, ok := find(want)
		if !ok {
			bad = append(bad, fmt.Sprintf("no stage whose name contains %q (stages: %v)", want, stageNames(stages)))
			continue
		}
		order = append(order, s.Name)
	}
	for i := 1; i < len(order); i++ {
		if stageIndex(stages, order[i]) < stageIndex(stages, order[i-1]) {
			bad = append(bad, fmt.Sprintf("stage %q runs before %q", order[i], order[i-1]))
		}
	}
	if s, ok := find("checkout"); ok && (!strings.Contains(s.Body, "checkout scm") || !strings.Contains(s.Body, "git rev-parse HEAD")) {
		bad = append(bad, "the checkout stage must run `checkout scm` and take the commit SHA (git rev-parse HEAD)")
	}
	if s, ok := find("test"); ok && !strings.Contains(s.Body, "bash .ci/run") {
		bad = append(bad, "the test stage does not run `bash .ci/run` (the project's test command)")
	}
	if s, ok := find("change"); ok {
		if !strings.Contains(s.Body, "GIT_PREVIOUS_SUCCESSFUL_COMMIT") {
			bad = append(bad, "change detection does not compare with env.GIT_PREVIOUS_SUCCESSFUL_COMMIT")
		}
		if strings.Contains(s.Body, "HEAD~1") || strings.Contains(s.Body, "HEAD^") {
			bad = append(bad, "change detection falls back to the parent commit: without a previous success it must build (a new job's first run)")
		}
		diff := strings.Index(s.Body, "git diff --name-only")
		if diff < 0 {
			bad = append(bad, "change detection does not list changed files (git diff --name-only)")
		} else if first := strings.Index(s.Body, "env.IMAGE_CHANGED = 'true'"); first < 0 || first > diff {
			bad = append(bad, "change detection must set IMAGE_CHANGED = 'true' before diffing, for a build with no previous success")
		}
		for _, p := range ImageInputs {
			if !strings.Contains(s.Body, "'"+p+"'") {
				bad = append(bad, fmt.Sprintf("change detection ignores %s, which goes into the image", p))
			}
		}
	}
	for _, word := range []string{"build", "push", "deploy"} {
		s, ok := find(word)
		if !ok {
			continue
		}
		if !regexp.MustCompile(`when\s*\{[^}]*IMAGE_CHANGED`).MatchString(s.Body) {
			bad = append(bad, fmt.Sprintf("stage %q is not gated on the detected changes (when { ... IMAGE_CHANGED ... })", s.Name))
		}
	}
	if s, ok := find("build"); ok {
		if !strings.Contains(s.Body, "docker buildx build") || !(strings.Contains(s.Body, "--platform linux/arm64") ||
			strings.Contains(s.Body, `--platform "$PLATFORM"`) && strings.Contains(src, "PLATFORM = 'linux/arm64'")) {
			bad = append(bad, "the image must be built with `docker buildx build --platform linux/arm64` (the instances are arm64)")
		}
		if !strings.Contains(s.Body, `:$GIT_SHA"`) {
			bad = append(bad, "the image is not tagged with the commit SHA ($GIT_SHA)")
		}
	}
	if strings.Contains(src, ":latest") {
		bad = append(bad, "no :latest tag: instances run a commit's tag, and a rollback names one")
	}
	if s, ok := find("push"); ok {
		if !regexp.MustCompile(`aws ecr get-login-password[^|\n]*\|\s*docker login --username AWS --password-stdin`).MatchString(s.Body) {
			bad = append(bad, "the push stage must log in with `aws ecr get-login-password | docker login --username AWS --password-stdin` (the agent's role)")
		}
		if strings.Contains(s.Body, "withCredentials(") || strings.Contains(src, "usernamePassword(") {
			bad = append(bad, "no stored registry password: the agent's role logs in to ECR")
		}
		if !strings.Contains(s.Body, `docker push "$ECR_REPOSITORY:$GIT_SHA"`) {
			bad = append(bad, `the push stage does not push "$ECR_REPOSITORY:$GIT_SHA"`)
		}
	}
	if s, ok := find("deploy"); ok {
		if !strings.Contains(s.Body, `bash terraform/deploy/rollout.sh start "$GIT_SHA"`) {
			bad = append(bad, `the deploy stage must roll out with bash terraform/deploy/rollout.sh start "$GIT_SHA" (a launch template version carrying the tag; checkpoints, alarms, auto-rollback)`)
		}
		if strings.Contains(s.Body, "aws ssm put-parameter") {
			bad = append(bad, "the deploy stage writes the tag before the rollout is healthy: only the promote stage records it")
		}
	}
	smoke, okSmoke := find("smoke")
	promote, okPromote := find("promote")
	switch {
	case !okSmoke:
		bad = append(bad, "no smoke test stage (terraform/deploy/smoke.sh after the deploy)")
	case !strings.Contains(smoke.Body, "bash terraform/deploy/smoke.sh"):
		bad = append(bad, "the smoke test stage does not run bash terraform/deploy/smoke.sh")
	case !regexp.MustCompile(`failure\s*\{[^}]*rollout\.sh rollback`).MatchString(smoke.Body):
		bad = append(bad, "a failed smoke test must roll back (post { failure { sh 'bash terraform/deploy/rollout.sh rollback' } })")
	}
	// The smoke test's synthetic user is confirmed with AdminConfirmSignUp
	// on the pool the environment names (terraform/deploy/smoke.sh).
	if !regexp.MustCompile(`(?m)^\s*USER_POOL_ID = '[^']+'`).MatchString(src) {
		bad = append(bad, "the environment must set USER_POOL_ID (terraform output -raw IMAGEAPP_COGNITO_USER_POOL_ID): the smoke test confirms its synthetic user there")
	}
	if !okPromote || !strings.Contains(promote.Body, "bash terraform/deploy/rollout.sh promote") {
		bad = append(bad, "no promote stage running bash terraform/deploy/rollout.sh promote (the tag is recorded only after the smoke test)")
	}
	if d, ok := find("deploy"); ok && okSmoke && okPromote {
		if !(stageIndex(stages, d.Name) < stageIndex(stages, smoke.Name) && stageIndex(stages, smoke.Name) < stageIndex(stages, promote.Name)) {
			bad = append(bad, "the stages must run deploy, then the smoke test, then promote")
		}
	}
	if l, ok := find("lambda"); !ok || !strings.Contains(l.Body, "bash lambda/build.sh") || !strings.Contains(l.Body, "aws lambda update-function-code") {
		bad = append(bad, "no stage ships the Lambda from this commit (bash lambda/build.sh, aws lambda update-function-code)")
	}
	if literalLogin.MatchString(src) {
		bad = append(bad, "docker login with -p/--password puts the secret on the command line")
	}
	for _, str := range groovyStrings(src) {
		if str.interpolated && secretRef.MatchString(str.text) {
			bad = append(bad, fmt.Sprintf("a secret is interpolated by Groovy (use a single-quoted string so the shell expands it): %q", str.text))
		}
	}
	if loc := postAlways.FindStringIndex(src); loc == nil {
		bad = append(bad, "no post { always { ... } } cleanup")
	} else {
		always := block(src, loc[1]-1)
		for _, want := range []string{"docker logout", "docker rmi", "cleanWs()"} {
			if !strings.Contains(always, want) {
				bad = append(bad, "post { always } does not run "+want)
			}
		}
	}
	return bad
}

type groovyString struct {
	interpolated bool // "..." or """...""" (a GString), not '...'
	text         string
}

// groovyStrings lists the string literals of a Groovy source.
func groovyStrings(src string) []groovyString {
	var out []groovyString
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '\'' && c != '"' {
			continue
		}
		delim := string(c)
		if strings.HasPrefix(src[i:], strings.Repeat(delim, 3)) {
			delim = strings.Repeat(delim, 3)
		}
		start := i + len(delim)
		end := start
		for end < len(src) && !strings.HasPrefix(src[end:], delim) {
			if src[end] == '\\' {
				end++
			}
			end++
		}
		if end > len(src) {
			end = len(src)
		}
		out = append(out, groovyString{interpolated: c == '"', text: src[start:end]})
		i = end + len(delim) - 1
	}
	return out
}

func stageNames(stages []JenkinsStage) []string {
	var out []string
	for _, s := range stages {
		out = append(out, s.Name)
	}
	return out
}

func stageIndex(stages []JenkinsStage, name string) int {
	for i, s := range stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}
