package infra

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// IAMFile lists every IAM action each role needs, on which resource, and who
// needs it (terraform/iam-actions.txt). Its "code" lines are derived from
// the SDK calls the app makes (app/server TestIAMGrantsMatchTheCode); the
// check iam-matches-code holds the policies to exactly its lines.
const IAMFile = "iam-actions.txt"

// Need is one line of IAMFile.
type Need struct {
	Role, Action, Resource, By string
	Line                       int
}

// ParseIAMFile reads the lines of IAMFile: "role action resource by".
func ParseIAMFile(text string) ([]Need, []string) {
	var needs []Need
	var bad []string
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 4 {
			bad = append(bad, fmt.Sprintf("%s:%d: want \"role action resource by\", have %q", IAMFile, i+1, line))
			continue
		}
		needs = append(needs, Need{Role: f[0], Action: f[1], Resource: f[2], By: f[3], Line: i + 1})
	}
	return needs, bad
}

// ResourceKinds name, for each resource kind of IAMFile, the Terraform
// expression a policy names it by. table/<t>[/index/<i>][:<key>] are
// DynamoDB tables, their indexes, and one partition key of a table.
var ResourceKinds = map[string]string{
	"*":                     `"*"`,
	"bucket":                `aws_s3_bucket.blobs.arn`,
	"objects":               `local.blob_objects_arn`,
	"key/user":              `local.kms_keys_arn`,
	"alias/user":            `local.kms_aliases_arn`,
	"key/app":               `aws_kms_key.app.arn`,
	"userpool":              `aws_cognito_user_pool.users.arn`,
	"key/root":              `aws_kms_key.root.arn`,
	"topic/user":            `local.user_topics_arn`,
	"subscription/user":     `"${local.user_topics_arn}:*"`,
	"identity/mail":         `local.ses_mail_identity_arn`,
	"configset/mail":        `local.ses_configuration_set_arn`,
	"param/client-secret":   `aws_ssm_parameter.cognito_client_secret.arn`,
	"param/image-tag":       `aws_ssm_parameter.image_tag.arn`,
	"param/valkey-password": `aws_ssm_parameter.valkey_password.arn`,
	"param/smoke":           `local.smoke_parameters_arn`,
	"lt":                    `aws_launch_template.app.arn`,
	"role/app":              `aws_iam_role.app.arn`,
	"lambda":                `aws_lambda_function.post_confirmation.arn`,
	"repo":                  `aws_ecr_repository.app.arn`,
	"logs/app":              `"${aws_cloudwatch_log_group.app.arn}:*"`,
	"logs/lambda":           `"${aws_cloudwatch_log_group.post_confirmation.arn}:*"`,
	"asg":                   `aws_autoscaling_group.app.arn`,
}

// resourceOf renders a resource kind the way policy statements render
// their resources, plus ":<key>" for one partition key.
func resourceOf(m *Module, kind string) (string, error) {
	kind, key, _ := strings.Cut(kind, ":")
	src, ok := ResourceKinds[kind]
	if t, ok2 := strings.CutPrefix(kind, "table/"); ok2 {
		name, index, hasIndex := strings.Cut(t, "/index/")
		src, ok = "aws_dynamodb_table."+name+".arn", true
		if hasIndex {
			src = `"${aws_dynamodb_table.` + name + `.arn}/index/` + index + `"`
		}
	}
	if !ok {
		return "", fmt.Errorf("unknown resource kind %q (known: %v and table/...)", kind, keys(ResourceKinds))
	}
	file := "(resource kind " + kind + ")" // Render reads references' text from Sources
	e, diags := hclsyntax.ParseExpression([]byte(src), file, hcl.InitialPos)
	if diags.HasErrors() {
		return "", diags
	}
	m.Sources[file] = []byte(src)
	r, _ := Render(m, e).(string)
	if key != "" {
		r += " key " + key
	}
	return r, nil
}

// roleDocuments maps each role to the policy documents it is granted: the
// documents of its aws_iam_role_policy resources (role "app" for
// aws_iam_role.app), and of each aws_iam_policy (role: its name), with
// their source_policy_documents.
func (m *Module) roleDocuments() map[string][]string {
	docOf := func(ref string) string {
		return strings.TrimSuffix(strings.TrimPrefix(ref, "${data."), ".json}")
	}
	var expand func(doc string, depth int) []string
	expand = func(doc string, depth int) []string {
		out := []string{doc}
		if b, ok := m.Data[doc]; ok && depth < 10 {
			for _, src := range Strings(m, b, "source_policy_documents") {
				out = append(out, expand(docOf(src), depth+1)...)
			}
		}
		return out
	}
	roles := map[string][]string{}
	for _, p := range m.ResourcesOf("aws_iam_role_policy") {
		ref := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(Str(m, p, "role"), "${aws_iam_role."), ".id}"), ".name}")
		roles[ref] = append(roles[ref], expand(docOf(Str(m, p, "policy")), 0)...)
	}
	for _, p := range m.ResourcesOf("aws_iam_policy") {
		roles[p.Labels[1]] = append(roles[p.Labels[1]], expand(docOf(Str(m, p, "policy")), 0)...)
	}
	return roles
}

// grants are the "action resource" pairs the Allow statements of docs
// grant; a statement limited to one DynamoDB partition key grants on
// "resource key <k>".
func (m *Module) grants(docs []string) map[string]string {
	out := map[string]string{}
	for _, s := range m.PolicyStatements() {
		if !slices.Contains(docs, s.Doc) || !s.Allows() || isAssumeRole(s) {
			continue
		}
		key := ""
		if v, ok := s.Condition("ForAllValues:StringEquals", "dynamodb:LeadingKeys"); ok && len(v) == 1 {
			key = " key " + v[0]
		} else if v, ok := s.Condition("ForAllValues:StringLike", "dynamodb:LeadingKeys"); ok && len(v) == 1 {
			key = " key " + v[0] // a pattern: "#user-key#*", every user key's item
		}
		for _, a := range s.Actions {
			for _, r := range s.Resources {
				out[a+" "+r+key] = s.Where()
			}
		}
	}
	return out
}

func checkIAMMatchesCode(m *Module) []string {
	text, ok := m.Sources[IAMFile]
	if !ok {
		return []string{"terraform/" + IAMFile + " is missing: it lists the permissions each role needs"}
	}
	needs, bad := ParseIAMFile(string(text))
	wanted := map[string]map[string]Need{}
	codeLines := 0
	for _, n := range needs {
		r, err := resourceOf(m, n.Resource)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s:%d: %v", IAMFile, n.Line, err))
			continue
		}
		if wanted[n.Role] == nil {
			wanted[n.Role] = map[string]Need{}
		}
		wanted[n.Role][n.Action+" "+r] = n
		if n.By == "code" {
			codeLines++
		}
	}
	if codeLines == 0 {
		bad = append(bad, IAMFile+" has no code lines: run go test ./app/server -run TestIAMGrantsMatchTheCode -update-iam")
	}
	roles := m.roleDocuments()
	for role, docs := range roles {
		granted := m.grants(docs)
		for g, where := range granted {
			if _, ok := wanted[role][g]; !ok {
				bad = append(bad, fmt.Sprintf("%s: role %s is granted %s, which no line of %s needs: drop the grant, or add the line (code lines come from the app's calls)", where, role, g, IAMFile))
			}
		}
		for w, n := range wanted[role] {
			if _, ok := granted[w]; !ok {
				bad = append(bad, fmt.Sprintf("%s:%d: role %s needs %s (%s), which terraform/iam.tf does not grant", IAMFile, n.Line, role, w, n.By))
			}
		}
	}
	for role := range wanted {
		if _, ok := roles[role]; !ok {
			bad = append(bad, fmt.Sprintf("%s names role %s, which has no policy in terraform/", IAMFile, role))
		}
	}
	slices.Sort(bad)
	return bad
}
