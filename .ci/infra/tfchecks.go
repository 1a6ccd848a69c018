package infra

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Check is one property the Terraform configuration must have. Run returns
// the violations (none = pass).
type Check struct {
	Name string
	Why  string
	Run  func(m *Module) []string
}

// WildcardResourceActions are the actions that AWS authorizes on no
// resource, so a statement made only of them must use Resource "*"; such a
// statement must still carry conditions. Each entry says why.
var WildcardResourceActions = map[string]string{
	"kms:CreateKey":                         "creates a key that does not exist yet: IAM only accepts Resource \"*\" (terraform/kms.tf pins it with aws:RequestTag/app, tag keys, key spec and usage)",
	"ecr:GetAuthorizationToken":             "a registry login token, not a repository's: IAM only accepts Resource \"*\" (pinned to the region; pushes and pulls are scoped to the repository)",
	"autoscaling:DescribeInstanceRefreshes": "Auto Scaling's Describe* have no resource-level permissions: Resource \"*\" only (read-only, pinned to the region; starting a refresh is scoped to the group)",
	"ec2:DescribeLaunchTemplateVersions":    "EC2's Describe* have no resource-level permissions: Resource \"*\" only (read-only, pinned to the region; making versions is scoped to the template)",
	"ec2:RunInstances":                      "a refresh to a launch template version is authorized like launching from it, over subnets, groups, volumes and interfaces whose ARNs are not known in advance: Resource \"*\" with ec2:LaunchTemplate = the app's template",
	"ses:GetSuppressedDestination":          "the account's suppression list has no resource-level permissions: Resource \"*\" only (read-only, pinned to the region; sending is scoped to the identity and configuration set)",
	"ec2:CreateTags":                        "tags of the instances and volumes a launch creates, whose IDs are new: Resource \"*\" with ec2:LaunchTemplate = the app's template",
}

// AppVar is how the app name appears in rendered configuration.
const AppVar = "${var.app_name}"

// TerraformChecks are every check of the Terraform configuration.
var TerraformChecks = []Check{
	{"references-resolve", "every var., local., data., module. and resource reference names something declared; template variables match", checkReferences},
	{"no-unused-declarations", "no variable or local is declared and never used", func(m *Module) []string { return m.UnusedDeclarations() }},
	{"iam-policies-are-documents", "every policy is an aws_iam_policy_document (so the checks below see it); no AWS managed policy attachments", checkPoliciesAreDocuments},
	{"iam-no-wildcard-actions", "no Allow statement grants an action with *, or uses not_actions", checkNoWildcardActions},
	{"iam-no-wildcard-resources", "no Allow statement names resource * (except actions AWS cannot scope, with conditions) or a whole service", checkNoWildcardResources},
	{"iam-no-wildcard-principals", "no Allow statement trusts principal *", checkNoWildcardPrincipals},
	{"iam-matches-code", "each role is granted exactly the permissions terraform/iam-actions.txt lists for it, whose code lines a test derives from the app's SDK calls (app/server TestIAMGrantsMatchTheCode)", checkIAMMatchesCode},
	{"iam-no-access-keys", "no IAM users or access keys: the instance uses its profile", checkNoAccessKeys},
	{"kms-bound-to-app", "data keys only under keys tagged app = var.app_name and with encryption context app = var.app_name; keys created only with that tag", checkKMSBoundToApp},
	{"kms-app-key", "the app's own key (cookie keys) rotates, has an alias, is not tagged app, is usable only under encryption context purpose = cookie-keys or decrypt-record (an Allow with it, a Deny without it) and is an output; beside that the app may only DescribeKey it (readiness)", checkAppKey},
	{"s3-public-access-blocked", "every bucket has a public access block with all four settings true", checkS3PublicAccessBlock},
	{"s3-tls-only", "every bucket's policy denies requests with aws:SecureTransport = false", checkS3TLSOnly},
	{"s3-encrypted", "every bucket has default encryption (aws:kms or AES256)", checkS3Encrypted},
	{"s3-owner-enforced", "every bucket has object ownership BucketOwnerEnforced (no ACLs)", checkS3OwnerEnforced},
	{"s3-lifecycle", "incomplete multipart uploads are aborted after 1 day; noncurrent versions expire when versioning is on", checkS3Lifecycle},
	{"dynamodb-pitr", "every table has point-in-time recovery on", checkDynamoPITR},
	{"dynamodb-sse", "every table has server-side encryption on", checkDynamoSSE},
	{"dynamodb-schema", "the tables match app/aws/dynamostore/schema.go: keys, GSIs, on-demand billing, TTL on expires_at", checkDynamoSchema},
	{"ec2-imdsv2", "the instances come from a launch template that requires IMDSv2 tokens; no stand-alone instance", checkIMDSv2},
	{"ec2-root-volume-encrypted", "every volume of the launch template is encrypted", checkRootVolumeEncrypted},
	{"ec2-ingress", "the internet reaches the load balancer only (443, and 80 that redirects), the instances only from the load balancer, Valkey only from the instances; no SSH, no key pair", checkIngress},
	{"ec2-instance-profile", "the instances run with an instance profile", checkInstanceProfile},
	{"lb-https", "HTTPS only: the ALB's HTTPS listener uses a TLS 1.2+ policy, a plain HTTP listener redirects to HTTPS unless only CloudFront reaches it, and CloudFront redirects viewers to HTTPS", checkHTTPS},
	{"asg", "an Auto Scaling group of at least var.min_instances (>= 2) over the private subnets of both zones, behind the ALB's target group with ELB health checks on /healthz", checkASG},
	{"valkey", "the shared store is ElastiCache for Valkey with TLS in transit, encryption at rest, a replica in the other zone, and only its own security group", checkValkey},
	{"images-by-tag", "an ECR repository with immutable, scanned tags; the deployed tag is an SSM parameter Terraform does not overwrite; the instances pull it and never build", checkImagesByTag},
	{"app-env", "the app's environment: an https:// base URL, the ALB's subnets as trusted proxies, Valkey over TLS, no insecure-HTTP switch", checkAppEnv},
	{"cognito-ses", "Cognito mails through SES (DEVELOPER) from var.ses_identity", checkCognitoSES},
	{"user-data-no-secrets", "no access key, secret, password or token in user data or its template; no secret attribute passed into it", checkUserDataNoSecrets},
	{"lambda-runtime", "the trigger runs provided.al2023 with handler bootstrap on one architecture, with its environment and a log group with retention", checkLambda},
	{"lambda-timeout", "the trigger's timeout is at most 3 s, well under the 5 s Cognito waits for it", checkLambdaTimeout},
	{"log-retention", "every log group has a retention", checkLogRetention},
	{"cognito-password-policy", "minimum length 10 and no character-class rules (the app's own rule)", checkCognitoPasswordPolicy},
	{"cognito-pool", "email verification by code, case-insensitive usernames, post-confirmation trigger wired with a permission for cognito-idp", checkCognitoPool},
	{"cognito-client", "the client has a secret, USER_PASSWORD + REFRESH_TOKEN flows only, and hides whether users exist", checkCognitoClient},
	{"client-secret-in-ssm", "the client secret is a SecureString SSM parameter the app role may read", checkClientSecretInSSM},
	{"outputs", "every value the app reads is an output, and app_env", checkOutputs},
	{"rollout", "instance refresh with checkpoints, an alarm specification (5xx, unhealthy hosts) and auto-rollback; the image tag rides on the launch template version; the AMI is pinned; the group runs the default version", checkRollout},
	{"alarms", "alarms (with actions) on ALB 5xx, unhealthy hosts, p99, DynamoDB throttles (GSIs too), Lambda errors, SES bounces/complaints, SNS failures, Valkey memory, KMS quota; a dashboard; a budget", checkAlarms},
	{"lb-access-logs", "the ALB logs to a bucket whose policy admits the ELB account and the log-delivery principal, and the logs expire", checkLBAccessLogs},
	{"cdn-access-logs", "CloudFront writes standard logs without cookies to a bucket of this configuration with ACLs enabled (BucketOwnerPreferred) that grants the awslogsdelivery account FULL_CONTROL and only the owner besides, and the logs expire", checkCDNAccessLogs},
	{"valkey-auth", "Valkey requires a password (RBAC, default user off); the password is a SecureString the instance reads at boot, never in user data", checkValkeyAuth},
	{"waf", "an optional WAF web ACL on the ALB: AWS managed rule groups and a blocking rate rule on the account routes", checkWAF},
	{"kms-key-policy", "each key's policy separates administrators (no use) from its roles' use under its one purpose (the app key: the app role, cookie-keys and decrypt-record; the root key: the app and trigger roles, user-key)", checkKeyPolicy},
	{"prod-compose", "user data carries the production compose file, not the dev stack", checkProdCompose},
}

func checkReferences(m *Module) []string { return m.UnresolvedReferences() }

func checkPoliciesAreDocuments(m *Module) []string {
	var bad []string
	policyAttrs := map[string][]string{
		"aws_iam_role":            {"assume_role_policy"},
		"aws_iam_role_policy":     {"policy"},
		"aws_iam_policy":          {"policy"},
		"aws_iam_user_policy":     {"policy"},
		"aws_iam_group_policy":    {"policy"},
		"aws_s3_bucket_policy":    {"policy"},
		"aws_sns_topic_policy":    {"policy"},
		"aws_kms_key":             {"policy"},
		"aws_kms_key_policy":      {"policy"},
		"aws_sqs_queue_policy":    {"policy"},
		"aws_lambda_function_url": nil,
	}
	docRef := regexp.MustCompile(`^\$\{data\.aws_iam_policy_document\.[A-Za-z0-9_-]+(\["[^"]+"\])?\.json\}$`)
	for typ, attrs := range policyAttrs {
		for _, r := range m.Instances(typ) {
			for _, a := range attrs {
				v, ok := Attr(r.In, r.Block, a)
				if !ok {
					continue
				}
				if s, _ := v.(string); !docRef.MatchString(s) {
					bad = append(bad, fmt.Sprintf("%s: %s.%s is not data.aws_iam_policy_document.<name>.json", r.Block.DefRange(), r.Name(), a))
				}
			}
			if len(Blocks(r.Block.Body, "inline_policy")) > 0 {
				bad = append(bad, fmt.Sprintf("%s: %s has an inline_policy block: use aws_iam_role_policy with a policy document", r.Block.DefRange(), r.Name()))
			}
		}
	}
	for _, typ := range []string{"aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"} {
		for _, r := range m.ResourcesOf(typ) {
			if strings.Contains(Str(m, r, "policy_arn"), ":iam::aws:policy/") {
				bad = append(bad, fmt.Sprintf("%s: %s attaches an AWS managed policy (broader than the app needs)", r.DefRange(), Name(r)))
			}
		}
	}
	for _, r := range m.ResourcesOf("aws_iam_role") {
		if mp := Strings(m, r, "managed_policy_arns"); len(mp) > 0 {
			bad = append(bad, fmt.Sprintf("%s: %s attaches managed policies %v", r.DefRange(), Name(r), mp))
		}
	}
	return bad
}

func checkNoWildcardActions(m *Module) []string {
	var bad []string
	for _, s := range m.PolicyStatements() {
		if !s.Allows() {
			continue // a Deny with s3:* only narrows
		}
		if len(s.NotActions) > 0 {
			bad = append(bad, s.Where()+": Allow with not_actions grants everything else")
		}
		if len(s.Actions) == 0 {
			bad = append(bad, s.Where()+": Allow without actions")
		}
		for _, a := range s.Actions {
			if strings.Contains(a, "*") {
				bad = append(bad, fmt.Sprintf("%s: action %q has a wildcard", s.Where(), a))
			}
		}
	}
	return bad
}

// wholeService matches an ARN whose resource part is just "*".
var wholeService = regexp.MustCompile(`^arn:[^:]+:[^:]+:[^:]*:[^:]*:\*$`)

// keyPolicyDocs are the documents used as a KMS key's own policy
// (aws_kms_key.policy): there resource "*" means that key, and principals
// say who may do what (checkKeyPolicy).
func (m *Module) keyPolicyDocs() map[string]bool {
	out := map[string]bool{}
	for _, k := range m.ResourcesOf("aws_kms_key") {
		if p := Str(m, k, "policy"); p != "" {
			out[strings.TrimSuffix(strings.TrimPrefix(p, "${data."), ".json}")] = true
		}
	}
	return out
}

func checkNoWildcardResources(m *Module) []string {
	var bad []string
	keyDocs := m.keyPolicyDocs()
	for _, s := range m.PolicyStatements() {
		if !s.Allows() || isAssumeRole(s) || keyDocs[s.Doc] {
			continue
		}
		if len(s.NotResources) > 0 {
			bad = append(bad, s.Where()+": Allow with not_resources grants everything else")
		}
		if len(s.Resources) == 0 {
			bad = append(bad, s.Where()+": Allow without resources")
		}
		for _, r := range s.Resources {
			switch {
			case r == "*":
				unscopable := len(s.Actions) > 0
				for _, a := range s.Actions {
					if _, ok := WildcardResourceActions[a]; !ok {
						unscopable = false
					}
				}
				if !unscopable {
					bad = append(bad, fmt.Sprintf("%s: resource \"*\" for %v (only %v may, AWS cannot scope them)", s.Where(), s.Actions, keys(WildcardResourceActions)))
				} else if len(s.Conditions) == 0 {
					bad = append(bad, s.Where()+": resource \"*\" without any condition")
				}
			case wholeService.MatchString(r):
				bad = append(bad, fmt.Sprintf("%s: resource %q is a whole service", s.Where(), r))
			}
		}
	}
	return bad
}

func isAssumeRole(s Statement) bool {
	return len(s.Actions) == 1 && s.Actions[0] == "sts:AssumeRole" && len(s.Resources) == 0 && len(s.Principals) > 0
}

func checkNoWildcardPrincipals(m *Module) []string {
	var bad []string
	for _, s := range m.PolicyStatements() {
		if !s.Allows() {
			continue
		}
		if len(s.NotPrincipals) > 0 {
			bad = append(bad, s.Where()+": Allow with not_principals")
		}
		for _, p := range s.Principals {
			if p.Type == "*" || slices.Contains(p.Identifiers, "*") {
				bad = append(bad, s.Where()+": Allow to principal *")
			}
		}
	}
	return bad
}

func checkNoAccessKeys(m *Module) []string {
	var bad []string
	for _, typ := range []string{"aws_iam_access_key", "aws_iam_user", "aws_iam_user_login_profile"} {
		for _, r := range m.ResourcesOf(typ) {
			bad = append(bad, fmt.Sprintf("%s: %s: no IAM users or access keys; use roles", r.DefRange(), Name(r)))
		}
	}
	return bad
}

func checkKMSBoundToApp(m *Module) []string {
	var bad []string
	granted := false
	keyDocs := m.keyPolicyDocs()
	for _, s := range m.PolicyStatements() {
		if !s.Allows() || keyDocs[s.Doc] {
			continue
		}
		if s.HasAction("kms:GenerateDataKey") || s.HasAction("kms:Decrypt") || s.HasAction("kms:Encrypt") || s.HasAction("kms:ReEncryptFrom") {
			granted = true
			if onAppKeys(s) {
				// The app's own keys, named by ARN: bound to their purposes
				// instead of a tag (checkAppKey and KeyUses say which).
				if v, _ := s.Condition("StringEquals", "kms:EncryptionContext:purpose"); len(v) == 0 {
					bad = append(bad, s.Where()+": use of the app's own key needs condition StringEquals kms:EncryptionContext:purpose = its purposes")
				}
			} else if v, _ := s.Condition("StringEquals", "aws:ResourceTag/app"); !slices.Equal(v, []string{AppVar}) {
				bad = append(bad, s.Where()+": data-key use needs condition StringEquals aws:ResourceTag/app = var.app_name")
			}
			if v, _ := s.Condition("StringEquals", "kms:EncryptionContext:app"); !slices.Equal(v, []string{AppVar}) {
				bad = append(bad, s.Where()+": data-key use needs condition StringEquals kms:EncryptionContext:app = var.app_name")
			}
		}
		if s.HasAction("kms:CreateKey") || s.HasAction("kms:TagResource") {
			if v, _ := s.Condition("StringEquals", "aws:RequestTag/app"); !slices.Equal(v, []string{AppVar}) {
				bad = append(bad, s.Where()+": key creation/tagging needs condition StringEquals aws:RequestTag/app = var.app_name")
			}
		}
		if s.HasAction("kms:CreateAlias") {
			for _, r := range s.Resources {
				if strings.Contains(r, ":alias/") && !strings.Contains(r, ":alias/"+AppVar+"/user/") {
					bad = append(bad, fmt.Sprintf("%s: aliases beyond alias/<app_name>/user/: %s", s.Where(), r))
				}
			}
		}
		for _, a := range s.Actions {
			if slices.Contains([]string{"kms:DisableKey", "kms:PutKeyPolicy", "kms:UpdateAlias", "kms:DeleteAlias", "kms:CreateGrant"}, a) {
				bad = append(bad, fmt.Sprintf("%s: %s lets the role break or hand out users' keys", s.Where(), a))
			}
		}
		// Account deletion destroys the user's key: allowed only with KMS's
		// shortest window (7 days, so administrators can still cancel a
		// deletion a compromised app asked for) and only on the app's keys.
		if s.HasAction("kms:ScheduleKeyDeletion") {
			days, _ := s.Condition("NumericEquals", "kms:ScheduleKeyDeletionPendingWindowInDays")
			app, _ := s.Condition("StringEquals", "aws:ResourceTag/app")
			if !slices.Equal(days, []string{"7"}) || !slices.Equal(app, []string{AppVar}) {
				bad = append(bad, s.Where()+": kms:ScheduleKeyDeletion needs conditions NumericEquals kms:ScheduleKeyDeletionPendingWindowInDays = 7 and StringEquals aws:ResourceTag/app = var.app_name")
			}
		}
	}
	if !granted {
		bad = append(bad, "no statement grants kms:GenerateDataKey/kms:Decrypt to the app")
	}
	return bad
}

// appKeyARN matches a reference to a key Terraform manages.
var appKeyARN = regexp.MustCompile(`^\$\{aws_kms_key\.[A-Za-z0-9_-]+\.arn\}$`)

// onAppKeys reports whether every resource of s is a Terraform-managed key.
func onAppKeys(s Statement) bool {
	for _, r := range s.Resources {
		if !appKeyARN.MatchString(r) {
			return false
		}
	}
	return len(s.Resources) > 0
}

// AppKeyPurposes are the encryption context purposes of the app key's uses:
// the cookie key ring (app/aws/kmskeys.PurposeCookieKeys) and the key that
// signs the decrypt records (app/aws/dynamostore/recordkey.go).
var AppKeyPurposes = []string{"cookie-keys", "decrypt-record"}

func checkAppKey(m *Module) []string {
	var k *hclsyntax.Block
	for _, key := range m.ResourcesOf("aws_kms_key") {
		if Name(key) == "aws_kms_key.app" {
			k = key
		}
	}
	if k == nil {
		return []string{"want aws_kms_key.app (the app's key, wrapping the cookie keys)"}
	}
	where := fmt.Sprintf("%s: %s", k.DefRange(), Name(k))
	ref := "${" + Name(k) + ".arn}"
	var bad []string
	if v, _ := Attr(m, k, "enable_key_rotation"); v != true {
		bad = append(bad, where+": enable_key_rotation must be true")
	}
	if tags, _ := Attr(m, k, "tags"); tags != nil {
		if t, _ := tags.(map[string]any); t != nil {
			if _, ok := t["app"]; ok {
				bad = append(bad, where+": must not carry the tag app: the per-user grants (aws:ResourceTag/app) would then reach it under any app context")
			}
		}
	}
	aliased := false
	for _, a := range m.ResourcesOf("aws_kms_alias") {
		aliased = aliased || Str(m, a, "target_key_id") == "${"+Name(k)+".key_id}" || Str(m, a, "target_key_id") == "${"+Name(k)+".arn}"
	}
	if !aliased {
		bad = append(bad, where+": has no aws_kms_alias")
	}
	allowed, denied := false, false
	for _, s := range m.PolicyStatements() {
		if !slices.Contains(s.Resources, ref) {
			continue
		}
		purpose, _ := s.Condition("StringEquals", "kms:EncryptionContext:purpose")
		if s.Allows() && slices.Equal(s.Actions, []string{"kms:DescribeKey"}) {
			continue // the app's readiness check (GET /readyz): reads the key's state, uses no key, takes no context
		}
		if s.Allows() {
			allowed = true
			if !slices.Equal(purpose, AppKeyPurposes) {
				bad = append(bad, s.Where()+": the app key may be used only with condition StringEquals kms:EncryptionContext:purpose = "+strings.Join(AppKeyPurposes, ", "))
			}
			if app, _ := s.Condition("StringEquals", "kms:EncryptionContext:app"); !slices.Equal(app, []string{AppVar}) {
				bad = append(bad, s.Where()+": the app key may be used only with condition StringEquals kms:EncryptionContext:app = var.app_name")
			}
			for _, a := range s.Actions {
				if a != "kms:Encrypt" && a != "kms:Decrypt" {
					bad = append(bad, fmt.Sprintf("%s: the app key needs only kms:Encrypt and kms:Decrypt, not %s", s.Where(), a))
				}
			}
		} else if v, _ := s.Condition("StringNotEquals", "kms:EncryptionContext:purpose"); slices.Equal(v, AppKeyPurposes) &&
			s.HasAction("kms:Decrypt") && s.HasAction("kms:GenerateDataKey") {
			denied = true
		}
	}
	if !allowed {
		bad = append(bad, "no statement lets the app use "+Name(k)+" (kms:Encrypt, kms:Decrypt)")
	}
	if !denied {
		bad = append(bad, "no Deny of "+Name(k)+" (Decrypt, GenerateDataKey, ...) when kms:EncryptionContext:purpose is not "+strings.Join(AppKeyPurposes, ", "))
	}
	if o, ok := m.Outputs["IMAGEAPP_APP_KEY_ID"]; !ok || !slices.Contains([]string{ref, "${" + Name(k) + ".key_id}"}, Str(m, o, "value")) {
		bad = append(bad, "output IMAGEAPP_APP_KEY_ID must be "+Name(k)+".arn (or .key_id)")
	}
	return bad
}

// perBucket runs fn for every bucket (each instance of a for_each bucket)
// with the instances of typ that point at it (bucket = aws_s3_bucket.<name>.id
// or .bucket; aws_s3_bucket.<name>["key"].id; each.value.id with for_each
// over the buckets).
func perBucket(m *Module, typ string, fn func(bucket Instance, attached []Instance) []string) []string {
	var bad []string
	for _, b := range m.Instances("aws_s3_bucket") {
		var attached []Instance
		for _, r := range m.Instances(typ) {
			ref := Str(r.In, r.Block, "bucket")
			if ref == "${"+b.Name()+".id}" || ref == "${"+b.Name()+".bucket}" {
				attached = append(attached, r)
			}
		}
		bad = append(bad, fn(b, attached)...)
	}
	return bad
}

func checkS3PublicAccessBlock(m *Module) []string {
	return perBucket(m, "aws_s3_bucket_public_access_block", func(b Instance, pabs []Instance) []string {
		if len(pabs) == 0 {
			return []string{fmt.Sprintf("%s: %s has no aws_s3_bucket_public_access_block", b.Block.DefRange(), b.Name())}
		}
		var bad []string
		for _, setting := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if v, _ := Attr(pabs[0].In, pabs[0].Block, setting); v != true {
				bad = append(bad, fmt.Sprintf("%s: %s.%s must be true", pabs[0].Block.DefRange(), pabs[0].Name(), setting))
			}
		}
		return bad
	})
}

func checkS3TLSOnly(m *Module) []string {
	return perBucket(m, "aws_s3_bucket_policy", func(b Instance, policies []Instance) []string {
		for _, p := range policies {
			for _, s := range m.DocStatements(DocOf(Str(p.In, p.Block, "policy"))) {
				if s.Allows() {
					continue
				}
				v, _ := s.Condition("Bool", "aws:SecureTransport")
				everyone := false
				for _, pr := range s.Principals {
					everyone = everyone || (pr.Type == "*" && slices.Contains(pr.Identifiers, "*"))
				}
				objects := "${" + b.Name() + ".arn}/*"
				if slices.Equal(v, []string{"false"}) && everyone && slices.Contains(s.Actions, "s3:*") &&
					slices.Contains(s.Resources, "${"+b.Name()+".arn}") && slices.Contains(s.Resources, objects) {
					return nil
				}
			}
		}
		return []string{fmt.Sprintf("%s: %s has no bucket policy denying s3:* to everyone on the bucket and its objects when aws:SecureTransport is false", b.Block.DefRange(), b.Name())}
	})
}

func checkS3Encrypted(m *Module) []string {
	return perBucket(m, "aws_s3_bucket_server_side_encryption_configuration", func(b Instance, cfgs []Instance) []string {
		for _, c := range cfgs {
			alg := Str(c.In, c.Block, "rule.apply_server_side_encryption_by_default.sse_algorithm")
			if alg == "AES256" || alg == "aws:kms" || alg == "aws:kms:dsse" {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %s has no default encryption (aws:kms or AES256)", b.Block.DefRange(), b.Name())}
	})
}

// checkS3OwnerEnforced: no ACLs, except on the bucket CloudFront's standard
// logs go to (their delivery writes through the ACL: checkCDNAccessLogs
// holds that bucket to its one grant).
func checkS3OwnerEnforced(m *Module) []string {
	cdnLogs := map[string]bool{}
	for _, d := range m.ResourcesOf("aws_cloudfront_distribution") {
		cdnLogs[strings.TrimSuffix(strings.TrimPrefix(Str(m, d, "logging_config.bucket"), "${"), ".bucket_domain_name}")] = true
	}
	return perBucket(m, "aws_s3_bucket_ownership_controls", func(b Instance, cfgs []Instance) []string {
		for _, c := range cfgs {
			own := Str(c.In, c.Block, "rule.object_ownership")
			if own == "BucketOwnerEnforced" || own == "BucketOwnerPreferred" && cdnLogs[b.Name()] {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %s needs ownership controls BucketOwnerEnforced", b.Block.DefRange(), b.Name())}
	})
}

func checkS3Lifecycle(m *Module) []string {
	versioned := map[string]bool{}
	perBucket(m, "aws_s3_bucket_versioning", func(b Instance, vs []Instance) []string {
		for _, v := range vs {
			versioned[b.Name()] = versioned[b.Name()] || Str(v.In, v.Block, "versioning_configuration.status") == "Enabled"
		}
		return nil
	})
	return perBucket(m, "aws_s3_bucket_lifecycle_configuration", func(b Instance, cfgs []Instance) []string {
		aborts, expiresOld := false, false
		for _, c := range cfgs {
			for _, rule := range Blocks(c.Block.Body, "rule") {
				if Str(c.In, rule, "status") != "Enabled" {
					continue
				}
				if days, ok := Attr(c.In, rule, "abort_incomplete_multipart_upload.days_after_initiation"); ok && days == 1.0 {
					aborts = true
				}
				if _, ok := Attr(c.In, rule, "noncurrent_version_expiration.noncurrent_days"); ok {
					expiresOld = true
				}
			}
		}
		var bad []string
		if !aborts {
			bad = append(bad, fmt.Sprintf("%s: %s needs an enabled lifecycle rule aborting incomplete multipart uploads after 1 day", b.Block.DefRange(), b.Name()))
		}
		if versioned[b.Name()] && !expiresOld {
			bad = append(bad, fmt.Sprintf("%s: %s is versioned but noncurrent versions never expire", b.Block.DefRange(), b.Name()))
		}
		return bad
	})
}

func checkDynamoPITR(m *Module) []string {
	var bad []string
	for _, t := range m.ResourcesOf("aws_dynamodb_table") {
		if v, _ := Attr(m, t, "point_in_time_recovery.enabled"); v != true {
			bad = append(bad, fmt.Sprintf("%s: %s needs point_in_time_recovery { enabled = true }", t.DefRange(), Name(t)))
		}
	}
	return bad
}

func checkDynamoSSE(m *Module) []string {
	var bad []string
	for _, t := range m.ResourcesOf("aws_dynamodb_table") {
		if v, _ := Attr(m, t, "server_side_encryption.enabled"); v != true {
			bad = append(bad, fmt.Sprintf("%s: %s needs server_side_encryption { enabled = true }", t.DefRange(), Name(t)))
		}
	}
	return bad
}

// gsi is a global secondary index as app/aws/dynamostore/schema.go defines it.
type gsi struct{ hash, rng string }

// tableSchema is one table of app/aws/dynamostore/schema.go.
type tableSchema struct {
	hash    string
	indexes map[string]gsi
}

// IndexProjections are the indexes that project less than ALL, because
// every query of them reads only keys: the sweeps' shardKeysBefore
// (app/aws/dynamostore/pending.go) asks only for the index's range key,
// Directory.UserByID (directory.go) only for the username, the table key.
// Every other index serves pages that read whole items (ALL): the
// directory-index decodes whole users, the request-index lists the
// requests box. A projection cannot change in place: DynamoDB rebuilds the
// index.
var IndexProjections = map[string]string{
	"user_id-index": "KEYS_ONLY",
	"pending-index": "KEYS_ONLY",
	"expiry-index":  "KEYS_ONLY",
	"preview-index": "KEYS_ONLY",
}

// AppTables is the contract with app/aws/dynamostore/schema.go (by table suffix).
var AppTables = map[string]tableSchema{
	"users": {hash: "username", indexes: map[string]gsi{
		"user_id-index":   {hash: "user_id"},
		"directory-index": {"directory", "username"},
	}},
	"messages": {hash: "message_id", indexes: map[string]gsi{
		"recipient-index":    {"recipient_id", "sort_key"},
		"sender-index":       {"sender_id", "sort_key"},
		"unread-index":       {"unread_recipient_id", "sort_key"},
		"read-index":         {"read_recipient_id", "sort_key"},
		"pending-index":      {"pending_shard", "pending_key"},
		"conversation-index": {"pair", "sort_key"},
		"expiry-index":       {"expiry_shard", "expiry_key"},
		"request-index":      {"request_recipient_id", "sort_key"},
		"preview-index":      {"preview_shard", "preview_key"},
	}},
}

func checkDynamoSchema(m *Module) []string {
	var bad []string
	found := map[string]bool{}
	for _, t := range m.ResourcesOf("aws_dynamodb_table") {
		name := Str(m, t, "name")
		suffix := name[strings.LastIndex(name, "-")+1:]
		want, ok := AppTables[suffix]
		where := fmt.Sprintf("%s: %s", t.DefRange(), Name(t))
		if !ok {
			bad = append(bad, where+": table "+name+" is not one the app uses")
			continue
		}
		found[suffix] = true
		if Str(m, t, "billing_mode") != "PAY_PER_REQUEST" {
			bad = append(bad, where+": billing_mode must be PAY_PER_REQUEST")
		}
		if Str(m, t, "hash_key") != want.hash {
			bad = append(bad, fmt.Sprintf("%s: hash_key must be %s", where, want.hash))
		}
		if Str(m, t, "range_key") != "" {
			bad = append(bad, where+": the app's tables have no range key")
		}
		if Str(m, t, "ttl.attribute_name") != "expires_at" {
			bad = append(bad, where+": ttl must be on expires_at")
		}
		attrs := map[string]string{}
		for _, a := range Blocks(t.Body, "attribute") {
			attrs[Str(m, a, "name")] = Str(m, a, "type")
		}
		keysUsed := map[string]bool{want.hash: true}
		got := map[string]gsi{}
		for _, g := range Blocks(t.Body, "global_secondary_index") {
			got[Str(m, g, "name")] = gsi{Str(m, g, "hash_key"), Str(m, g, "range_key")}
			name := Str(m, g, "name")
			want := "ALL"
			if IndexProjections[name] != "" {
				want = IndexProjections[name]
			}
			if got := Str(m, g, "projection_type"); got != want {
				bad = append(bad, fmt.Sprintf("%s: index %s must project %s, projects %s (IndexProjections says why)", where, name, want, got))
			}
		}
		for name, w := range want.indexes {
			g, ok := got[name]
			if !ok {
				bad = append(bad, fmt.Sprintf("%s: index %s is missing", where, name))
				continue
			}
			if g != w {
				bad = append(bad, fmt.Sprintf("%s: index %s has keys %v, the app queries %v", where, name, g, w))
			}
			keysUsed[w.hash] = true
			if w.rng != "" {
				keysUsed[w.rng] = true
			}
		}
		for name := range got {
			if _, ok := want.indexes[name]; !ok {
				bad = append(bad, fmt.Sprintf("%s: index %s is not one the app uses", where, name))
			}
		}
		for k := range keysUsed {
			if attrs[k] != "S" {
				bad = append(bad, fmt.Sprintf("%s: key attribute %s must be declared with type S", where, k))
			}
		}
		for k := range attrs {
			if !keysUsed[k] {
				bad = append(bad, fmt.Sprintf("%s: attribute %s is declared but is no key (Terraform rejects that)", where, k))
			}
		}
	}
	for suffix := range AppTables {
		if !found[suffix] {
			bad = append(bad, "no DynamoDB table for "+suffix)
		}
	}
	return bad
}

func instances(m *Module) []*hclsyntax.Block {
	return append(m.ResourcesOf("aws_instance"), m.ResourcesOf("aws_launch_template")...)
}

func checkIMDSv2(m *Module) []string {
	var bad []string
	for _, i := range instances(m) {
		if Str(m, i, "metadata_options.http_tokens") != "required" {
			bad = append(bad, fmt.Sprintf("%s: %s needs metadata_options { http_tokens = \"required\" }", i.DefRange(), Name(i)))
		}
		if Str(m, i, "metadata_options.http_endpoint") == "disabled" {
			continue
		}
		if v, ok := Attr(m, i, "metadata_options.http_put_response_hop_limit"); ok {
			if f, _ := v.(float64); f < 1 || f > 2 {
				bad = append(bad, fmt.Sprintf("%s: %s hop limit %v: 1, or 2 for containers", i.DefRange(), Name(i), v))
			}
		}
	}
	for _, i := range m.ResourcesOf("aws_instance") {
		bad = append(bad, fmt.Sprintf("%s: %s: a stand-alone instance; the app runs in the Auto Scaling group, from the launch template", i.DefRange(), Name(i)))
	}
	if len(m.ResourcesOf("aws_launch_template")) == 0 {
		bad = append(bad, "no aws_launch_template")
	}
	return bad
}

func checkRootVolumeEncrypted(m *Module) []string {
	var bad []string
	for _, t := range m.ResourcesOf("aws_launch_template") {
		maps := Blocks(t.Body, "block_device_mappings")
		if len(maps) == 0 {
			bad = append(bad, fmt.Sprintf("%s: %s declares no block_device_mappings: the root volume must be encrypted explicitly", t.DefRange(), Name(t)))
		}
		for _, bdm := range maps {
			if v, _ := Attr(m, bdm, "ebs.encrypted"); v != true {
				bad = append(bad, fmt.Sprintf("%s: %s has a volume without ebs { encrypted = true }", bdm.DefRange(), Name(t)))
			}
		}
	}
	for _, i := range m.ResourcesOf("aws_instance") {
		if v, _ := Attr(m, i, "root_block_device.encrypted"); v != true {
			bad = append(bad, fmt.Sprintf("%s: %s needs root_block_device { encrypted = true }", i.DefRange(), Name(i)))
		}
	}
	for _, v := range m.ResourcesOf("aws_ebs_volume") {
		if e, _ := Attr(m, v, "encrypted"); e != true {
			bad = append(bad, fmt.Sprintf("%s: %s is not encrypted", v.DefRange(), Name(v)))
		}
	}
	return bad
}

// ingressRule is one ingress permission, from whichever resource form.
type ingressRule struct {
	at        string
	group     string // the security group it opens: "aws_security_group.app"
	from, to  float64
	protocol  string
	sources   []string // CIDRs and prefix lists
	sgSource  string   // the security group it admits: "${aws_security_group.lb.id}"
	sgSources bool
}

// groupOf names the security group a rule's reference points at.
func groupOf(ref string) string {
	ref = strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}")
	ref = strings.TrimSuffix(ref, ".id")
	if i := strings.Index(ref, "["); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

func (m *Module) ingressRules() []ingressRule {
	var out []ingressRule
	num := func(b *hclsyntax.Block, a string) float64 {
		v, _ := Attr(m, b, a)
		f, _ := v.(float64)
		return f
	}
	for _, r := range m.ResourcesOf("aws_vpc_security_group_ingress_rule") {
		rule := ingressRule{at: r.DefRange().String() + ": " + Name(r), group: groupOf(Str(m, r, "security_group_id")),
			from: num(r, "from_port"), to: num(r, "to_port"), protocol: Str(m, r, "ip_protocol")}
		for _, a := range []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} {
			if s := Str(m, r, a); s != "" {
				rule.sources = append(rule.sources, s)
			}
		}
		rule.sgSource = Str(m, r, "referenced_security_group_id")
		rule.sgSources = rule.sgSource != ""
		out = append(out, rule)
	}
	for _, r := range m.ResourcesOf("aws_security_group_rule") {
		if Str(m, r, "type") != "ingress" {
			continue
		}
		rule := ingressRule{at: r.DefRange().String() + ": " + Name(r), group: groupOf(Str(m, r, "security_group_id")),
			from: num(r, "from_port"), to: num(r, "to_port"), protocol: Str(m, r, "protocol")}
		rule.sources = append(Strings(m, r, "cidr_blocks"), Strings(m, r, "ipv6_cidr_blocks")...)
		rule.sgSource = Str(m, r, "source_security_group_id")
		rule.sgSources = rule.sgSource != ""
		out = append(out, rule)
	}
	for _, sg := range m.ResourcesOf("aws_security_group") {
		for _, in := range Blocks(sg.Body, "ingress") {
			rule := ingressRule{at: in.DefRange().String() + ": " + Name(sg), group: Name(sg), from: num(in, "from_port"), to: num(in, "to_port"), protocol: Str(m, in, "protocol")}
			rule.sources = append(Strings(m, in, "cidr_blocks"), Strings(m, in, "ipv6_cidr_blocks")...)
			rule.sgSources = len(Strings(m, in, "security_groups")) > 0
			out = append(out, rule)
		}
	}
	return out
}

// The security groups of the deployment, by Terraform name.
const (
	lbGroup     = "aws_security_group.lb"
	appGroup    = "aws_security_group.app"
	valkeyGroup = "aws_security_group.valkey"
	// CloudFront's VPC origin reaches the internal ALB from this group.
	cloudFrontGroup = "data.aws_security_group.cloudfront_vpc_origins"
)

func checkIngress(m *Module) []string {
	var bad []string
	local := func(name string) float64 {
		if l, ok := m.Locals[name]; ok {
			f, _ := Render(m, l.Expr).(float64)
			return f
		}
		return 0
	}
	appPort, valkeyPort := local("app_port"), local("valkey_port")
	if appPort == 0 || valkeyPort == 0 {
		bad = append(bad, "local.app_port and local.valkey_port must be set")
	}
	world := func(sources []string) bool {
		return slices.Contains(sources, "0.0.0.0/0") || slices.Contains(sources, "::/0")
	}
	seen := map[string]bool{}
	for _, r := range m.ingressRules() {
		all := r.protocol == "-1" || r.protocol == "all"
		single := func(p float64) bool { return !all && r.from == p && r.to == p }
		switch {
		case all || r.from <= 22 && 22 <= r.to:
			bad = append(bad, fmt.Sprintf("%s: opens ports %v-%v (%s): no SSH, no port ranges; instances are replaced, not logged into", r.at, r.from, r.to, r.protocol))
		case r.group == lbGroup && (single(443) || single(80)) && len(r.sources) == 1 && world(r.sources) && !r.sgSources:
			seen["lb-world-"+fmt.Sprint(r.from)] = true
		case r.group == lbGroup && single(80) && len(r.sources) == 0 && groupOf(r.sgSource) == cloudFrontGroup:
			seen["lb-cloudfront"] = true
		case r.group == appGroup && single(appPort) && len(r.sources) == 0 && groupOf(r.sgSource) == lbGroup:
			seen["app"] = true
		case r.group == valkeyGroup && single(valkeyPort) && len(r.sources) == 0 && groupOf(r.sgSource) == appGroup:
			seen["valkey"] = true
		default:
			bad = append(bad, fmt.Sprintf("%s: opens %s ports %v-%v to %v %s: only the ALB takes 443/80 from the world (or 80 from CloudFront), "+
				"the instances the app port from the ALB, Valkey its port from the instances", r.at, r.group, r.from, r.to, r.sources, r.sgSource))
		}
	}
	for _, want := range []string{"app", "valkey"} {
		if !seen[want] {
			bad = append(bad, "no ingress rule lets the "+map[string]string{"app": "ALB reach the instances", "valkey": "instances reach Valkey"}[want])
		}
	}
	for _, t := range m.ResourcesOf("aws_launch_template") {
		if _, ok := t.Body.Attributes["key_name"]; ok {
			bad = append(bad, fmt.Sprintf("%s: %s has a key pair: no SSH into instances", t.DefRange(), Name(t)))
		}
	}
	for _, k := range m.ResourcesOf("aws_key_pair") {
		bad = append(bad, fmt.Sprintf("%s: %s: no SSH key pairs", k.DefRange(), Name(k)))
	}
	return bad
}

func checkInstanceProfile(m *Module) []string {
	var bad []string
	for _, t := range m.ResourcesOf("aws_launch_template") {
		if !strings.HasPrefix(Str(m, t, "iam_instance_profile.name"), "${aws_iam_instance_profile.") {
			bad = append(bad, fmt.Sprintf("%s: %s needs iam_instance_profile { name = aws_iam_instance_profile.<name>.name }", t.DefRange(), Name(t)))
		}
	}
	for _, i := range m.ResourcesOf("aws_instance") {
		if !strings.HasPrefix(Str(m, i, "iam_instance_profile"), "${aws_iam_instance_profile.") {
			bad = append(bad, fmt.Sprintf("%s: %s needs iam_instance_profile = aws_iam_instance_profile.<name>.name", i.DefRange(), Name(i)))
		}
	}
	return bad
}

// ModernTLSPolicies are the ELB policies that offer only TLS 1.2 and 1.3.
var ModernTLSPolicies = []string{"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"}

func checkHTTPS(m *Module) []string {
	var bad []string
	var httpsCount, forwardCount string
	https := 0
	for _, l := range m.ResourcesOf("aws_lb_listener") {
		where := fmt.Sprintf("%s: %s", l.DefRange(), Name(l))
		count := ""
		if a, ok := l.Body.Attributes["count"]; ok {
			count = m.Source(a.Expr.Range())
		}
		switch Str(m, l, "protocol") {
		case "HTTPS":
			https++
			httpsCount = count
			if !slices.Contains(ModernTLSPolicies, Str(m, l, "ssl_policy")) {
				bad = append(bad, fmt.Sprintf("%s: ssl_policy %q is not one of %v", where, Str(m, l, "ssl_policy"), ModernTLSPolicies))
			}
			if !strings.Contains(Str(m, l, "certificate_arn"), "aws_acm_certificate") {
				bad = append(bad, where+": the certificate must be the ACM certificate (via its validation)")
			}
		case "HTTP":
			switch Str(m, l, "default_action.type") {
			case "redirect":
				if Str(m, l, "default_action.redirect.protocol") != "HTTPS" {
					bad = append(bad, where+": a plain HTTP listener may only redirect to HTTPS")
				}
			default:
				forwardCount = count
			}
		default:
			bad = append(bad, where+": listener protocol must be HTTPS, or HTTP that redirects")
		}
	}
	if https == 0 {
		bad = append(bad, "no HTTPS listener")
	}
	// A forwarding HTTP listener exists exactly when the HTTPS one does not:
	// then the ALB is internal and only CloudFront reaches it.
	if forwardCount != "" || httpsCount != "" {
		inverse := strings.Replace(httpsCount, "? 1 : 0", "? 0 : 1", 1)
		if forwardCount != "" && (httpsCount == "" || forwardCount != inverse) {
			bad = append(bad, fmt.Sprintf("a plain HTTP listener forwards (count %q) while the HTTPS listener may exist (count %q)", forwardCount, httpsCount))
		}
	}
	for _, lb := range m.ResourcesOf("aws_lb") {
		internal := Str(m, lb, "internal")
		if httpsCount != "" && internal != "${!"+strings.TrimSpace(strings.TrimSuffix(httpsCount, "? 1 : 0"))+"}" {
			bad = append(bad, fmt.Sprintf("%s: %s must be internal exactly when there is no HTTPS listener (internal = !<the HTTPS listener's condition>), is %q", lb.DefRange(), Name(lb), internal))
		}
		if v, _ := Attr(m, lb, "drop_invalid_header_fields"); v != true {
			bad = append(bad, fmt.Sprintf("%s: %s must drop invalid header fields", lb.DefRange(), Name(lb)))
		}
	}
	for _, d := range m.ResourcesOf("aws_cloudfront_distribution") {
		p := Str(m, d, "default_cache_behavior.viewer_protocol_policy")
		if p != "redirect-to-https" && p != "https-only" {
			bad = append(bad, fmt.Sprintf("%s: %s viewer_protocol_policy %q: viewers must be sent to HTTPS", d.DefRange(), Name(d), p))
		}
		for _, o := range Blocks(d.Body, "origin") {
			if len(Blocks(o.Body, "vpc_origin_config")) == 0 {
				bad = append(bad, fmt.Sprintf("%s: %s reaches its origin over the internet: use a VPC origin (the ALB stays internal)", o.DefRange(), Name(d)))
			}
		}
	}
	return bad
}

func checkASG(m *Module) []string {
	groups := m.ResourcesOf("aws_autoscaling_group")
	if len(groups) != 1 {
		return []string{fmt.Sprintf("want one aws_autoscaling_group, have %d", len(groups))}
	}
	g := groups[0]
	where := fmt.Sprintf("%s: %s", g.DefRange(), Name(g))
	var bad []string
	if Str(m, g, "vpc_zone_identifier") != "${aws_subnet.private[*].id}" {
		bad = append(bad, where+": vpc_zone_identifier must be aws_subnet.private[*].id (both zones' private subnets)")
	}
	if Str(m, g, "health_check_type") != "ELB" {
		bad = append(bad, where+": health_check_type must be ELB (the ALB's checks replace an instance that stops answering)")
	}
	if !strings.HasPrefix(Str(m, g, "launch_template.id"), "${aws_launch_template.") {
		bad = append(bad, where+": must run the launch template")
	}
	if tg := Strings(m, g, "target_group_arns"); len(tg) != 1 || !strings.HasPrefix(tg[0], "${aws_lb_target_group.") {
		bad = append(bad, where+": must register with the ALB's target group")
	}
	min := m.Source(g.Body.Attributes["min_size"].Expr.Range())
	if l, ok := m.Locals[strings.TrimPrefix(min, "local.")]; !ok || !strings.Contains(m.Source(l.Expr.Range()), "var.min_instances") {
		bad = append(bad, where+": min_size must come from var.min_instances")
	}
	if v, ok := m.Variables["min_instances"]; ok {
		cond := ""
		for _, val := range Blocks(v.Body, "validation") {
			cond += Str(m, val, "condition")
		}
		if !strings.Contains(cond, ">= 2") {
			bad = append(bad, "variable min_instances must be validated >= 2 (an instance per zone)")
		}
	} else {
		bad = append(bad, "no variable min_instances")
	}
	for _, tg := range m.ResourcesOf("aws_lb_target_group") {
		if Str(m, tg, "health_check.path") != "${var.health_check_path}" {
			bad = append(bad, fmt.Sprintf("%s: %s health checks must ask var.health_check_path (/readyz or /healthz)", tg.DefRange(), Name(tg)))
		}
	}
	if v, ok := m.Variables["health_check_path"]; !ok || Str(m, v, "default") != "/healthz" && Str(m, v, "default") != "/readyz" {
		bad = append(bad, "variable health_check_path must default to /healthz (until the app serves /readyz) or /readyz")
	}
	return bad
}

// RolloutAlarmMetrics are the metrics of the alarms an instance refresh
// must watch: server errors and unhealthy targets.
var RolloutAlarmMetrics = []string{"HTTPCode_Target_5XX_Count", "UnHealthyHostCount"}

// checkRollout: the group refreshes in steps, watches alarms and rolls back
// by itself; the image tag rides on the launch template version (so the
// rollback covers it); the AMI is pinned; the group runs the default
// version (never one Jenkins is still trying).
func checkRollout(m *Module) []string {
	var bad []string
	for _, g := range m.ResourcesOf("aws_autoscaling_group") {
		where := fmt.Sprintf("%s: %s", g.DefRange(), Name(g))
		refreshes := Blocks(g.Body, "instance_refresh")
		if len(refreshes) != 1 {
			bad = append(bad, where+": needs an instance_refresh block")
			continue
		}
		prefs := Blocks(refreshes[0].Body, "preferences")
		if len(prefs) != 1 {
			bad = append(bad, where+": instance_refresh needs preferences")
			continue
		}
		p := prefs[0]
		if v, _ := Attr(m, p, "auto_rollback"); v != true {
			bad = append(bad, where+": instance_refresh.preferences.auto_rollback must be true")
		}
		if a, ok := p.Body.Attributes["checkpoint_percentages"]; !ok {
			bad = append(bad, where+": instance_refresh.preferences needs checkpoint_percentages (e.g. 10 %, 50 %)")
		} else if src := m.Source(a.Expr.Range()); src != "var.rollout_checkpoints" {
			bad = append(bad, where+": checkpoint_percentages must be var.rollout_checkpoints, is "+src)
		}
		if v, ok := m.Variables["rollout_checkpoints"]; !ok {
			bad = append(bad, "no variable rollout_checkpoints")
		} else if cp := asFloats(Render(m, v.Body.Attributes["default"].Expr)); len(cp) < 3 || cp[len(cp)-1] != 100 || cp[0] > 25 {
			bad = append(bad, fmt.Sprintf("variable rollout_checkpoints must default to a small first step, a middle one and 100 (e.g. [10, 50, 100]), is %v", cp))
		}
		if _, ok := p.Body.Attributes["checkpoint_delay"]; !ok {
			bad = append(bad, where+": instance_refresh.preferences needs checkpoint_delay")
		}
		if v, _ := Attr(m, p, "min_healthy_percentage"); v != 100.0 {
			bad = append(bad, where+": a refresh must keep min_healthy_percentage = 100")
		}
		alarms := Blocks(p.Body, "alarm_specification")
		if len(alarms) != 1 {
			bad = append(bad, where+": instance_refresh.preferences needs an alarm_specification")
		} else {
			watched := m.Source(alarms[0].Body.Attributes["alarms"].Expr.Range())
			if l, ok := m.Locals[strings.TrimPrefix(watched, "local.")]; ok {
				watched = m.Source(l.Expr.Range())
			}
			for _, metric := range RolloutAlarmMetrics {
				found := false
				for _, a := range m.ResourcesOf("aws_cloudwatch_metric_alarm") {
					if strings.Contains(watched, Name(a)+".") && strings.Contains(m.Source(a.Body.Range()), `"`+metric+`"`) {
						found = true
					}
				}
				if !found {
					bad = append(bad, fmt.Sprintf("%s: the refresh's alarm_specification watches no alarm on %s", where, metric))
				}
			}
		}
		if Str(m, g, "launch_template.version") != "${aws_launch_template.app.default_version}" {
			bad = append(bad, where+": the group must run the launch template's default_version (latest_version may be a release still being tried)")
		}
	}
	for _, lt := range m.ResourcesOf("aws_launch_template") {
		where := fmt.Sprintf("%s: %s", lt.DefRange(), Name(lt))
		carries := false
		for _, ts := range Blocks(lt.Body, "tag_specifications") {
			if Str(m, ts, "resource_type") == "instance" && strings.Contains(m.Source(ts.Body.Range()), "(local.image_tag_key)") {
				carries = true
			}
		}
		if !carries {
			bad = append(bad, where+": the instance tag_specifications must carry the image tag (local.image_tag_key), so a rollback to the previous version brings its image back")
		}
		if Str(m, lt, "metadata_options.instance_metadata_tags") != "enabled" {
			bad = append(bad, where+": instance_metadata_tags must be enabled (the boot script reads the image tag through IMDS)")
		}
		img := Str(m, lt, "image_id")
		ds, ok := m.Data[strings.TrimSuffix(strings.TrimPrefix(img, "${data."), ".id}")]
		switch {
		case img == "${var.ami_id}":
		case ok:
			if v, _ := Attr(m, ds, "most_recent"); v == true {
				bad = append(bad, fmt.Sprintf("%s: %s uses most_recent: an Ubuntu release would roll the fleet on any apply; pin var.ami_id", ds.DefRange(), Name(ds)))
			}
			if !strings.Contains(m.Source(ds.Body.Range()), "var.ami_id") {
				bad = append(bad, fmt.Sprintf("%s: %s must select var.ami_id (a pinned AMI)", ds.DefRange(), Name(ds)))
			}
		default:
			bad = append(bad, where+": image_id must be var.ami_id or an aws_ami data source that selects it")
		}
	}
	tmpl := string(m.Sources["user_data.sh.tftpl"])
	if !strings.Contains(tmpl, "tags/instance/${image_tag_key}") {
		bad = append(bad, "user_data.sh.tftpl must read the image tag from its launch template version (IMDS tags/instance/${image_tag_key})")
	}
	return bad
}

func asFloats(v any) []float64 {
	var out []float64
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if f, ok := x.(float64); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func checkValkey(m *Module) []string {
	groups := m.ResourcesOf("aws_elasticache_replication_group")
	if len(groups) != 1 {
		return []string{fmt.Sprintf("want one aws_elasticache_replication_group (the shared store), have %d", len(groups))}
	}
	g := groups[0]
	where := fmt.Sprintf("%s: %s", g.DefRange(), Name(g))
	var bad []string
	if Str(m, g, "engine") != "valkey" {
		bad = append(bad, where+": engine must be valkey")
	}
	for _, a := range []string{"transit_encryption_enabled", "at_rest_encryption_enabled", "automatic_failover_enabled", "multi_az_enabled"} {
		if v, _ := Attr(m, g, a); v != true {
			bad = append(bad, where+": "+a+" must be true")
		}
	}
	if v, _ := Attr(m, g, "num_cache_clusters"); v.(float64) < 2 {
		bad = append(bad, where+": needs a replica (num_cache_clusters >= 2)")
	}
	if sg := Strings(m, g, "security_group_ids"); !slices.Equal(sg, []string{"${" + valkeyGroup + ".id}"}) {
		bad = append(bad, fmt.Sprintf("%s: security_group_ids must be exactly %s, are %v", where, valkeyGroup, sg))
	}
	return bad
}

func checkImagesByTag(m *Module) []string {
	var bad []string
	repos := m.ResourcesOf("aws_ecr_repository")
	if len(repos) != 1 {
		return []string{fmt.Sprintf("want one aws_ecr_repository, have %d", len(repos))}
	}
	r := repos[0]
	if Str(m, r, "image_tag_mutability") != "IMMUTABLE" {
		bad = append(bad, fmt.Sprintf("%s: %s: tags must be IMMUTABLE (a SHA always names one image)", r.DefRange(), Name(r)))
	}
	if v, _ := Attr(m, r, "image_scanning_configuration.scan_on_push"); v != true {
		bad = append(bad, fmt.Sprintf("%s: %s must scan on push", r.DefRange(), Name(r)))
	}
	if len(m.ResourcesOf("aws_ecr_lifecycle_policy")) == 0 {
		bad = append(bad, "no aws_ecr_lifecycle_policy: images pile up forever")
	}
	p, ok := m.Resources["aws_ssm_parameter.image_tag"]
	if !ok {
		return append(bad, "no aws_ssm_parameter.image_tag (the record of the released tag)")
	}
	ignored := ""
	for _, l := range Blocks(p.Body, "lifecycle") {
		if a, ok := l.Body.Attributes["ignore_changes"]; ok {
			ignored = m.Source(a.Expr.Range())
		}
	}
	if !strings.Contains(ignored, "value") {
		bad = append(bad, fmt.Sprintf("%s: %s must ignore changes of value: Jenkins owns the deployed tag, an apply must not roll it back", p.DefRange(), Name(p)))
	}
	tmpl := string(m.Sources["user_data.sh.tftpl"])
	for _, want := range []string{"docker compose -f compose.yml pull app", "--no-build", "IMAGEAPP_IMAGE=", "get_authorization_token"} {
		if !strings.Contains(tmpl, want) {
			bad = append(bad, "user_data.sh.tftpl must pull the tagged image and never build: lacks "+want)
		}
	}
	for _, never := range []string{"docker build", "git clone", "--build ", "docker compose up --build"} {
		if strings.Contains(tmpl, never) {
			bad = append(bad, "user_data.sh.tftpl builds or clones ("+never+"): instances run the pushed image only")
		}
	}
	return bad
}

func checkAppEnv(m *Module) []string {
	l, ok := m.Locals["app_env"]
	if !ok {
		return []string{"no local.app_env"}
	}
	env := m.Source(l.Expr.Range())
	var bad []string
	for _, want := range []string{
		"IMAGEAPP_BASE_URL=${local.base_url}",
		`IMAGEAPP_TRUSTED_PROXIES=${join(",", local.lb_subnet_cidrs)}`,
		"IMAGEAPP_VALKEY_URL=rediss://",
	} {
		if !strings.Contains(env, want) {
			bad = append(bad, "local.app_env lacks "+want)
		}
	}
	if strings.Contains(env, "IMAGEAPP_ALLOW_INSECURE_HTTP") {
		bad = append(bad, "local.app_env sets IMAGEAPP_ALLOW_INSECURE_HTTP: a deployment is HTTPS only")
	}
	if b, ok := m.Locals["base_url"]; !ok || !strings.HasPrefix(m.Source(b.Expr.Range()), `"https://`) {
		bad = append(bad, "local.base_url must be an https:// address")
	}
	if c, ok := m.Locals["lb_subnet_cidrs"]; !ok || !strings.Contains(m.Source(c.Expr.Range()), "local.lb_subnets") {
		bad = append(bad, "local.lb_subnet_cidrs must be the CIDRs of the load balancer's subnets (local.lb_subnets)")
	}
	for _, lb := range m.ResourcesOf("aws_lb") {
		if Str(m, lb, "subnets") != "${local.lb_subnets[*].id}" {
			bad = append(bad, fmt.Sprintf("%s: %s must sit in local.lb_subnets, the subnets the app trusts", lb.DefRange(), Name(lb)))
		}
	}
	return bad
}

func checkCognitoSES(m *Module) []string {
	pool, bad := userPool(m)
	if pool == nil {
		return bad
	}
	where := fmt.Sprintf("%s: %s", pool.DefRange(), Name(pool))
	if Str(m, pool, "email_configuration.email_sending_account") != "DEVELOPER" {
		bad = append(bad, where+": email_configuration.email_sending_account must be DEVELOPER (mail through SES)")
	}
	if !strings.Contains(Str(m, pool, "email_configuration.source_arn"), ":identity/${var.ses_identity}") {
		bad = append(bad, where+": email_configuration.source_arn must name the SES identity (var.ses_identity)")
	}
	if arn, ok := m.Locals["ses_identity_arn"]; !ok || !strings.Contains(m.Source(arn.Expr.Range()), ":identity/${var.ses_identity}") {
		bad = append(bad, "local.ses_identity_arn must be the ARN of var.ses_identity")
	}
	return bad
}

// secretShapes are what a credential looks like in text.
var secretShapes = []*regexp.Regexp{
	regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`),
	regexp.MustCompile(`(?i)aws_(secret_access_key|access_key_id|session_token)\s*[=:]`),
	regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key)["']?\s*[=:]\s*["']?[A-Za-z0-9/+_.-]{6,}`),
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),
	regexp.MustCompile(`(^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+=]|$)`), // shape of an AWS secret key
}

// secretAttributes are resource attributes that hold secrets.
var secretAttributes = regexp.MustCompile(`(?i)(^aws_iam_access_key\.|^aws_ssm_parameter\.[^.]+\.(value|insecure_value)$|\.(client_secret|secret|secret_access_key|password|ses_smtp_password_v4|private_key|private_key_pem)$)`)

func checkUserDataNoSecrets(m *Module) []string {
	var bad []string
	for _, i := range instances(m) {
		for _, name := range []string{"user_data", "user_data_base64"} {
			a, ok := i.Body.Attributes[name]
			if !ok {
				continue
			}
			where := fmt.Sprintf("%s: %s.%s", a.SrcRange, Name(i), name)
			for _, ref := range m.References(a.Expr) {
				if secretAttributes.MatchString(ref) {
					bad = append(bad, fmt.Sprintf("%s: passes %s, a secret, into user data", where, ref))
				}
			}
			texts := map[string]string{where: m.Source(a.Expr.Range())}
			for n, src := range m.LocalSources(a.Expr) {
				texts[fmt.Sprintf("%s (local #%d)", where, n)] = src
			}
			hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && (call.Name == "templatefile" || call.Name == "file") && len(call.Args) > 0 {
					file := templateFileName(m.Source(call.Args[0].Range()))
					texts[file] = string(m.Sources[file])
				}
				return nil
			})
			for label, text := range texts {
				for _, re := range secretShapes {
					if loc := re.FindString(text); loc != "" {
						bad = append(bad, fmt.Sprintf("%s: %q looks like a credential", label, loc))
					}
				}
			}
		}
	}
	return bad
}

func checkLambda(m *Module) []string {
	var bad []string
	fns := m.ResourcesOf("aws_lambda_function")
	if len(fns) == 0 {
		return []string{"no aws_lambda_function"}
	}
	for _, f := range fns {
		where := fmt.Sprintf("%s: %s", f.DefRange(), Name(f))
		if Str(m, f, "runtime") != "provided.al2023" {
			bad = append(bad, where+": runtime must be provided.al2023")
		}
		if Str(m, f, "handler") != "bootstrap" {
			bad = append(bad, where+": handler must be bootstrap")
		}
		if arch := Strings(m, f, "architectures"); len(arch) != 1 || (arch[0] != "arm64" && arch[0] != "x86_64") {
			bad = append(bad, fmt.Sprintf("%s: architectures must name one of arm64 or x86_64, has %v", where, arch))
		}
		env, _ := Attr(m, f, "environment.variables")
		vars, _ := env.(map[string]any)
		for _, k := range []string{"IMAGEAPP_USERS_TABLE", "IMAGEAPP_APP_NAME", "IMAGEAPP_APP_ROLE_ARN"} {
			if _, ok := vars[k]; !ok {
				bad = append(bad, where+": environment lacks "+k)
			}
		}
		name := Str(m, f, "function_name")
		hasGroup := false
		for _, g := range m.ResourcesOf("aws_cloudwatch_log_group") {
			hasGroup = hasGroup || Str(m, g, "name") == "/aws/lambda/"+name
		}
		if !hasGroup {
			bad = append(bad, where+": no aws_cloudwatch_log_group named /aws/lambda/<function_name>")
		}
	}
	return bad
}

func checkLambdaTimeout(m *Module) []string {
	var bad []string
	for _, f := range m.ResourcesOf("aws_lambda_function") {
		// Unset is Lambda's default of 3 s.
		if v, ok := Attr(m, f, "timeout"); ok {
			if n, _ := v.(float64); n < 1 || n > 3 {
				bad = append(bad, fmt.Sprintf("%s: %s: timeout %v: keep it at most 3 s, well under Cognito's 5 s trigger limit", f.DefRange(), Name(f), v))
			}
		}
	}
	return bad
}

func checkLogRetention(m *Module) []string {
	var bad []string
	for _, g := range m.ResourcesOf("aws_cloudwatch_log_group") {
		if _, ok := Attr(m, g, "retention_in_days"); !ok {
			bad = append(bad, fmt.Sprintf("%s: %s keeps logs forever: set retention_in_days", g.DefRange(), Name(g)))
		}
	}
	return bad
}

func userPool(m *Module) (*hclsyntax.Block, []string) {
	pools := m.ResourcesOf("aws_cognito_user_pool")
	if len(pools) != 1 {
		return nil, []string{fmt.Sprintf("want one aws_cognito_user_pool, have %d", len(pools))}
	}
	return pools[0], nil
}

func checkCognitoPasswordPolicy(m *Module) []string {
	pool, bad := userPool(m)
	if pool == nil {
		return bad
	}
	if v, _ := Attr(m, pool, "password_policy.minimum_length"); v != 10.0 {
		bad = append(bad, fmt.Sprintf("%s: password_policy.minimum_length must be 10 (the app's rule), is %v", pool.DefRange(), v))
	}
	for _, r := range []string{"require_lowercase", "require_uppercase", "require_numbers", "require_symbols"} {
		if v, _ := Attr(m, pool, "password_policy."+r); v != false {
			bad = append(bad, fmt.Sprintf("%s: password_policy.%s must be set to false (the app has no class rules)", pool.DefRange(), r))
		}
	}
	return bad
}

func checkCognitoPool(m *Module) []string {
	pool, bad := userPool(m)
	if pool == nil {
		return bad
	}
	where := fmt.Sprintf("%s: %s", pool.DefRange(), Name(pool))
	if !slices.Contains(Strings(m, pool, "auto_verified_attributes"), "email") {
		bad = append(bad, where+": auto_verified_attributes must include email")
	}
	if Str(m, pool, "verification_message_template.default_email_option") != "CONFIRM_WITH_CODE" {
		bad = append(bad, where+": verification must be by code (CONFIRM_WITH_CODE)")
	}
	if v, _ := Attr(m, pool, "username_configuration.case_sensitive"); v != false {
		bad = append(bad, where+": usernames must be case-insensitive")
	}
	if len(Strings(m, pool, "username_attributes")) > 0 || len(Strings(m, pool, "alias_attributes")) > 0 {
		bad = append(bad, where+": the app signs in by username: no username_attributes/alias_attributes")
	}
	trigger := Str(m, pool, "lambda_config.post_confirmation")
	fn := strings.TrimSuffix(strings.TrimPrefix(trigger, "${"), ".arn}")
	if _, ok := m.Resources[fn]; !ok || !strings.HasPrefix(fn, "aws_lambda_function.") {
		return append(bad, where+": lambda_config.post_confirmation must be aws_lambda_function.<name>.arn")
	}
	permitted := false
	for _, p := range m.ResourcesOf("aws_lambda_permission") {
		if Str(m, p, "principal") == "cognito-idp.amazonaws.com" && Str(m, p, "action") == "lambda:InvokeFunction" &&
			strings.HasPrefix(Str(m, p, "function_name"), "${"+fn+".") && Str(m, p, "source_arn") == "${"+Name(pool)+".arn}" {
			permitted = true
		}
	}
	if !permitted {
		bad = append(bad, where+": no aws_lambda_permission lets cognito-idp.amazonaws.com invoke "+fn+" from this pool (source_arn)")
	}
	return bad
}

func checkCognitoClient(m *Module) []string {
	var bad []string
	clients := m.ResourcesOf("aws_cognito_user_pool_client")
	if len(clients) == 0 {
		return []string{"no aws_cognito_user_pool_client"}
	}
	for _, c := range clients {
		where := fmt.Sprintf("%s: %s", c.DefRange(), Name(c))
		if v, _ := Attr(m, c, "generate_secret"); v != true {
			bad = append(bad, where+": generate_secret must be true")
		}
		flows := Strings(m, c, "explicit_auth_flows")
		slices.Sort(flows)
		if !slices.Equal(flows, []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"}) {
			bad = append(bad, fmt.Sprintf("%s: explicit_auth_flows must be exactly ALLOW_USER_PASSWORD_AUTH and ALLOW_REFRESH_TOKEN_AUTH, are %v", where, flows))
		}
		if Str(m, c, "prevent_user_existence_errors") != "ENABLED" {
			bad = append(bad, where+": prevent_user_existence_errors must be ENABLED")
		}
		if v, ok := Attr(m, c, "allowed_oauth_flows_user_pool_client"); ok && v == true {
			bad = append(bad, where+": no OAuth flows: the app uses none")
		}
	}
	return bad
}

func checkClientSecretInSSM(m *Module) []string {
	var bad []string
	var param *hclsyntax.Block
	for _, p := range m.ResourcesOf("aws_ssm_parameter") {
		if strings.HasSuffix(Str(m, p, "value"), ".client_secret}") || strings.HasSuffix(Str(m, p, "value_wo"), ".client_secret}") {
			param = p
		}
	}
	if param == nil {
		return []string{"no aws_ssm_parameter holds the Cognito client secret"}
	}
	if Str(m, param, "type") != "SecureString" {
		bad = append(bad, fmt.Sprintf("%s: %s must be a SecureString", param.DefRange(), Name(param)))
	}
	readable := false
	for _, s := range m.PolicyStatements() {
		if s.Allows() && s.HasAction("ssm:GetParameter") && slices.Contains(s.Resources, "${"+Name(param)+".arn}") {
			readable = true
		}
		for _, r := range s.Resources {
			if s.Allows() && s.HasAction("ssm:GetParameter") && strings.Contains(r, "*") {
				bad = append(bad, fmt.Sprintf("%s: ssm:GetParameter on %s: name parameters exactly", s.Where(), r))
			}
		}
	}
	if !readable {
		bad = append(bad, "no statement grants ssm:GetParameter on "+Name(param)+".arn")
	}
	return bad
}

// RequiredOutputs are the values the app reads (app/config.go), by name.
var RequiredOutputs = []string{
	"app_url", "app_env", "cognito_client_secret_parameter",
	"ecr_repository_url", "image_tag_parameter", "autoscaling_group", "deploy_policy_arn",
	"IMAGEAPP_COGNITO_USER_POOL_ID", "IMAGEAPP_COGNITO_CLIENT_ID",
	"IMAGEAPP_USERS_TABLE", "IMAGEAPP_MESSAGES_TABLE", "IMAGEAPP_BUCKET", "AWS_REGION",
	"IMAGEAPP_APP_KEY_ID", "IMAGEAPP_APP_ROLE_ARN",
}

func checkOutputs(m *Module) []string {
	var bad []string
	for _, name := range RequiredOutputs {
		if _, ok := m.Outputs[name]; !ok {
			bad = append(bad, "output "+name+" is missing")
		}
	}
	for name, o := range m.Outputs {
		if a, ok := o.Body.Attributes["value"]; ok {
			for _, ref := range m.References(a.Expr) {
				if secretAttributes.MatchString(ref) {
					if v, _ := Attr(m, o, "sensitive"); v != true {
						bad = append(bad, fmt.Sprintf("output %s exposes %s without sensitive = true", name, ref))
					}
				}
			}
		}
	}
	if o, ok := m.Outputs["app_env"]; ok {
		env := Str(m, o, "value")
		for _, k := range []string{"IMAGEAPP_BACKEND=aws", "IMAGEAPP_COGNITO_USER_POOL_ID=", "IMAGEAPP_COGNITO_CLIENT_ID=", "IMAGEAPP_USERS_TABLE=", "IMAGEAPP_MESSAGES_TABLE=", "IMAGEAPP_BUCKET=", "AWS_REGION=",
			"IMAGEAPP_APP_KEY_ID=", "IMAGEAPP_APP_ROLE_ARN="} {
			if !strings.Contains(env, k) {
				bad = append(bad, "output app_env lacks "+k)
			}
		}
		if strings.Contains(env, "CLIENT_SECRET=") {
			bad = append(bad, "output app_env must not carry the client secret")
		}
	}
	return bad
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RequiredAlarms are the metrics (namespace/metric) some
// aws_cloudwatch_metric_alarm must watch, each with why.
var RequiredAlarms = map[string]string{
	"AWS/ApplicationELB/HTTPCode_Target_5XX_Count":  "the app's server errors",
	"AWS/ApplicationELB/HTTPCode_ELB_5XX_Count":     "the ALB's own 5xx (no healthy target)",
	"AWS/ApplicationELB/UnHealthyHostCount":         "targets failing the health check",
	"AWS/ApplicationELB/TargetResponseTime":         "p99 latency",
	"AWS/DynamoDB/ReadThrottleEvents":               "throttled reads (tables and GSIs)",
	"AWS/DynamoDB/WriteThrottleEvents":              "throttled writes (tables and GSIs)",
	"AWS/Lambda/Errors":                             "the post-confirmation trigger failing",
	"AWS/SES/Reputation.BounceRate":                 "SES bounces (AWS pauses sending at 10 %)",
	"AWS/SES/Reputation.ComplaintRate":              "SES complaints (AWS pauses sending at 0.5 %)",
	"AWS/SNS/NumberOfNotificationsFailed":           "notification mails not delivered",
	"AWS/ElastiCache/DatabaseMemoryUsagePercentage": "Valkey memory (evictions drop limits and events)",
	"AWS/Usage/CallCount":                           "KMS requests against the account's quota (throttling)",
}

var quoted = regexp.MustCompile(`"([^"]+)"`)

func checkAlarms(m *Module) []string {
	var bad []string
	found := map[string]bool{}
	for _, a := range m.ResourcesOf("aws_cloudwatch_metric_alarm") {
		src := m.Source(a.Body.Range())
		if !strings.Contains(src, "alarm_actions") {
			bad = append(bad, fmt.Sprintf("%s: %s notifies nobody (alarm_actions)", a.DefRange(), Name(a)))
		}
		for key := range RequiredAlarms {
			i := strings.LastIndex(key, "/")
			ns, metric := key[:i], key[i+1:]
			if (strings.Contains(src, `"`+ns+`"`) || strings.Contains(src, `\"`+ns+`\"`)) && strings.Contains(src, metric) {
				found[key] = true
			}
		}
	}
	for key, why := range RequiredAlarms {
		if !found[key] {
			bad = append(bad, fmt.Sprintf("no alarm on %s (%s)", key, why))
		}
	}
	if t := m.ResourcesOf("aws_cloudwatch_metric_alarm"); len(t) > 0 {
		for _, a := range m.ResourcesOf("aws_cloudwatch_metric_alarm") {
			src := m.Source(a.Body.Range())
			if strings.Contains(src, "ThrottleEvents") && !strings.Contains(src, "GlobalSecondaryIndexName") {
				bad = append(bad, fmt.Sprintf("%s: %s watches tables but not their GSIs (GlobalSecondaryIndexName)", a.DefRange(), Name(a)))
			}
		}
	}
	if len(m.ResourcesOf("aws_cloudwatch_dashboard")) == 0 {
		bad = append(bad, "no aws_cloudwatch_dashboard")
	}
	if len(m.ResourcesOf("aws_budgets_budget")) == 0 {
		bad = append(bad, "no aws_budgets_budget (a monthly cost budget that mails)")
	}
	return bad
}

// checkLBAccessLogs: the ALB writes access logs to a bucket whose policy
// lets the ELB service write (the Region's ELB account, or the log
// delivery service principal), and the logs expire.
func checkLBAccessLogs(m *Module) []string {
	var bad []string
	for _, lb := range m.ResourcesOf("aws_lb") {
		where := fmt.Sprintf("%s: %s", lb.DefRange(), Name(lb))
		if v, _ := Attr(m, lb, "access_logs.enabled"); v != true {
			bad = append(bad, where+": access_logs must be enabled")
			continue
		}
		bucketRef := strings.TrimSuffix(strings.TrimPrefix(Str(m, lb, "access_logs.bucket"), "${"), ".id}")
		if b, ok := m.Instance(bucketRef); !ok || b.Block.Labels[0] != "aws_s3_bucket" {
			bad = append(bad, where+": access_logs.bucket must be a bucket of this configuration")
			continue
		}
		var policyDoc string
		for _, p := range m.Instances("aws_s3_bucket_policy") {
			if Str(p.In, p.Block, "bucket") == "${"+bucketRef+".id}" {
				policyDoc = DocOf(Str(p.In, p.Block, "policy"))
			}
		}
		elbAccount, logDelivery := false, false
		for _, s := range m.DocStatements(policyDoc) {
			if !s.Allows() || !s.HasAction("s3:PutObject") {
				continue
			}
			for _, r := range s.Resources {
				if !strings.HasPrefix(r, "${"+bucketRef+".arn}/") {
					bad = append(bad, fmt.Sprintf("%s: log delivery may write %s, beyond the log bucket's objects", s.Where(), r))
				}
			}
			for _, p := range s.Principals {
				for _, id := range p.Identifiers {
					elbAccount = elbAccount || p.Type == "AWS" && strings.Contains(id, "aws_elb_service_account")
					logDelivery = logDelivery || p.Type == "Service" && id == "logdelivery.elasticloadbalancing.amazonaws.com"
				}
			}
		}
		if !elbAccount || !logDelivery {
			bad = append(bad, fmt.Sprintf("%s: the policy of %s must let the Region's ELB account (data.aws_elb_service_account) and logdelivery.elasticloadbalancing.amazonaws.com put objects", where, bucketRef))
		}
		expires := false
		for _, lc := range m.Instances("aws_s3_bucket_lifecycle_configuration") {
			if Str(lc.In, lc.Block, "bucket") != "${"+bucketRef+".id}" {
				continue
			}
			for _, rule := range Blocks(lc.Block.Body, "rule") {
				if _, ok := Attr(lc.In, rule, "expiration.days"); ok && Str(lc.In, rule, "status") == "Enabled" {
					expires = true
				}
			}
		}
		if !expires {
			bad = append(bad, where+": the access logs never expire (a lifecycle rule with expiration.days)")
		}
	}
	return bad
}

// checkValkeyAuth: the shared store requires a password (an RBAC user
// group whose default user is off), the password is a SecureString the
// instance reads at boot, and user data carries only its name.
func checkValkeyAuth(m *Module) []string {
	var bad []string
	for _, g := range m.ResourcesOf("aws_elasticache_replication_group") {
		where := fmt.Sprintf("%s: %s", g.DefRange(), Name(g))
		groups := Strings(m, g, "user_group_ids")
		if len(groups) == 0 && Str(m, g, "auth_token") == "" {
			bad = append(bad, where+": no AUTH: set user_group_ids (RBAC) or auth_token")
			continue
		}
		for _, ug := range m.ResourcesOf("aws_elasticache_user_group") {
			if len(groups) == 0 || !strings.Contains(groups[0], Name(ug)+".") {
				continue
			}
			for _, uid := range Strings(m, ug, "user_ids") {
				ref := strings.TrimSuffix(strings.TrimPrefix(uid, "${"), ".user_id}")
				u, ok := m.Resources[ref]
				if !ok {
					bad = append(bad, fmt.Sprintf("%s: %s names %s, not a user of this configuration", ug.DefRange(), Name(ug), uid))
					continue
				}
				access := Str(m, u, "access_string")
				if strings.HasPrefix(access, "off") {
					continue
				}
				if Str(m, u, "authentication_mode.type") != "password" {
					bad = append(bad, fmt.Sprintf("%s: %s is enabled without a password", u.DefRange(), Name(u)))
				}
				if Str(m, u, "user_name") == "default" {
					bad = append(bad, fmt.Sprintf("%s: %s: the default user must be off", u.DefRange(), Name(u)))
				}
			}
		}
	}
	p, ok := m.Resources["aws_ssm_parameter.valkey_password"]
	if !ok {
		return append(bad, "no aws_ssm_parameter.valkey_password (the Valkey password, for the instances)")
	}
	if Str(m, p, "type") != "SecureString" {
		bad = append(bad, fmt.Sprintf("%s: %s must be a SecureString", p.DefRange(), Name(p)))
	}
	readable := false
	for _, s := range m.PolicyStatements() {
		if s.Allows() && s.HasAction("ssm:GetParameter") && slices.Contains(s.Resources, "${aws_ssm_parameter.valkey_password.arn}") && s.Doc == "aws_iam_policy_document.instance" {
			readable = true
		}
	}
	if !readable {
		bad = append(bad, "the instance policy does not grant ssm:GetParameter on aws_ssm_parameter.valkey_password.arn")
	}
	tmpl := string(m.Sources["user_data.sh.tftpl"])
	if !strings.Contains(tmpl, "ssm_value '${valkey_password_parameter}'") {
		bad = append(bad, "user_data.sh.tftpl must read the Valkey password from SSM at boot (ssm_value '${valkey_password_parameter}')")
	}
	for _, lt := range instances(m) {
		if src := m.Source(lt.Body.Attributes["user_data"].Expr.Range()); strings.Contains(src, "valkey_password.value") || strings.Contains(src, "random_password") {
			bad = append(bad, fmt.Sprintf("%s: %s passes the Valkey password itself into user data", lt.DefRange(), Name(lt)))
		}
	}
	return bad
}

// WAFRatePaths are the routes a rate-based rule must cover (page and JSON).
var WAFRatePaths = []string{"/signup", "/login", "/verify", "/forgot", "/api/signup", "/api/login", "/api/verify", "/api/forgot"}

// checkWAF: a web ACL (behind a variable) on the ALB with AWS managed rule
// groups and a blocking rate-based rule scoped to the account routes.
func checkWAF(m *Module) []string {
	acls := m.ResourcesOf("aws_wafv2_web_acl")
	if len(acls) != 1 {
		return []string{fmt.Sprintf("want one aws_wafv2_web_acl, have %d", len(acls))}
	}
	acl := acls[0]
	where := fmt.Sprintf("%s: %s", acl.DefRange(), Name(acl))
	src := m.Source(acl.Body.Range())
	var bad []string
	if c, ok := acl.Body.Attributes["count"]; !ok || !strings.Contains(m.Source(c.Expr.Range()), "var.waf_enabled") {
		bad = append(bad, where+": count must follow var.waf_enabled")
	}
	rate := false
	for _, r := range Blocks(acl.Body, "rule") {
		rs := m.Source(r.Body.Range())
		if strings.Contains(rs, "rate_based_statement") && strings.Contains(rs, "scope_down_statement") && strings.Contains(rs, "block") {
			rate = true
		}
	}
	if !rate {
		bad = append(bad, where+": no blocking rate_based_statement with a scope_down_statement")
	}
	paths, ok := m.Locals["waf_rate_paths"]
	if !ok || !strings.Contains(src, "local.waf_rate_paths") {
		bad = append(bad, where+": the rate rule's scope must be local.waf_rate_paths")
	} else if got := asStrings(Render(m, paths.Expr)); !slices.Equal(got, WAFRatePaths) {
		bad = append(bad, fmt.Sprintf("local.waf_rate_paths is %v, want %v", got, WAFRatePaths))
	}
	if !strings.Contains(src, "managed_rule_group_statement") || !strings.Contains(m.Source(m.Locals["waf_managed_groups"].Expr.Range()), "AWSManagedRulesCommonRuleSet") {
		bad = append(bad, where+": needs AWS managed rule groups (AWSManagedRulesCommonRuleSet at least)")
	}
	assoc := false
	for _, a := range m.ResourcesOf("aws_wafv2_web_acl_association") {
		assoc = assoc || Str(m, a, "resource_arn") == "${aws_lb.app.arn}"
	}
	if !assoc {
		bad = append(bad, "no aws_wafv2_web_acl_association with the ALB")
	}
	return bad
}

// KeyAdminForbidden are the actions a key administrator must not have on
// the app key: using it.
var KeyAdminForbidden = []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant"}

// KeyUses are the keys Terraform manages and, for each, its purposes and
// the roles its own policy lets use it.
var KeyUses = map[string]struct {
	Purposes []string
	Roles    []string
}{
	"aws_kms_key.app":  {AppKeyPurposes, []string{"${aws_iam_role.app.arn}"}},
	"aws_kms_key.root": {[]string{RootKeyPurpose}, []string{"${aws_iam_role.app.arn}", "${aws_iam_role.lambda.arn}"}},
}

// RootKeyPurpose is the encryption context purpose of the root key's one
// use, wrapping user keys (app/aws/kmskeys.PurposeUserKey).
const RootKeyPurpose = "user-key"

// checkKeyPolicy: each key's own policy separates administration (no
// cryptographic use) from its roles' use (under its one purpose only).
func checkKeyPolicy(m *Module) []string {
	var bad []string
	for _, k := range m.ResourcesOf("aws_kms_key") {
		uses, ok := KeyUses[Name(k)]
		doc := strings.TrimSuffix(strings.TrimPrefix(Str(m, k, "policy"), "${data."), ".json}")
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: %s is not a key .ci/infra knows (KeyUses): say who may use it for what", k.DefRange(), Name(k)))
			continue
		case doc == "":
			bad = append(bad, fmt.Sprintf("%s: %s has no policy of its own (key administrators vs its roles' use)", k.DefRange(), Name(k)))
			continue
		}
		admin, use := false, false
		for _, s := range m.PolicyStatements() {
			if s.Doc != doc || !s.Allows() {
				continue
			}
			crypto := false
			for _, a := range KeyAdminForbidden {
				crypto = crypto || s.HasAction(a)
			}
			if s.HasAction("kms:PutKeyPolicy") {
				admin = true
				if crypto {
					bad = append(bad, s.Where()+": key administrators may also use the key: split the statement")
				}
			}
			if crypto {
				use = true
				for _, p := range s.Principals {
					if !slices.Equal(p.Identifiers, uses.Roles) {
						bad = append(bad, fmt.Sprintf("%s: only %v may use %s, not %v", s.Where(), uses.Roles, Name(k), p.Identifiers))
					}
				}
				if v, _ := s.Condition("StringEquals", "kms:EncryptionContext:purpose"); !slices.Equal(v, uses.Purposes) {
					bad = append(bad, s.Where()+": the use of "+Name(k)+" needs condition kms:EncryptionContext:purpose = "+strings.Join(uses.Purposes, ", "))
				}
			}
		}
		if !admin || !use {
			bad = append(bad, Name(k)+"'s policy needs an administrators' statement (kms:PutKeyPolicy) and its roles' use statement")
		}
	}
	return bad
}

// checkProdCompose: user data embeds the production compose file, not the
// repository's dev stack (emulators included).
func checkProdCompose(m *Module) []string {
	var bad []string
	for _, lt := range instances(m) {
		a, ok := lt.Body.Attributes["user_data"]
		if !ok {
			continue
		}
		src := m.Source(a.Expr.Range())
		if strings.Contains(src, "docker-compose.yml") || !strings.Contains(src, `file("${path.module}/compose.prod.yml")`) {
			bad = append(bad, fmt.Sprintf("%s: %s user data must embed terraform/compose.prod.yml, not the dev docker-compose.yml", a.SrcRange, Name(lt)))
		}
	}
	return bad
}

// checkCDNAccessLogs: every CloudFront distribution writes standard logs,
// without cookies, to a bucket of this configuration that has ACLs enabled
// and grants the awslogsdelivery account FULL_CONTROL (the legacy delivery
// writes through the ACL), and the logs expire.
func checkCDNAccessLogs(m *Module) []string {
	var bad []string
	// ref turns "${aws_s3_bucket.x[0].attr}" into "aws_s3_bucket.x".
	ref := func(s, attr string) string {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "${"), "."+attr+"}")
		return strings.TrimSuffix(s, "[0]")
	}
	for _, d := range m.ResourcesOf("aws_cloudfront_distribution") {
		where := fmt.Sprintf("%s: %s", d.DefRange(), Name(d))
		if len(Blocks(d.Body, "logging_config")) == 0 {
			bad = append(bad, where+": no logging_config: CloudFront's standard logs are off")
			continue
		}
		if v, _ := Attr(m, d, "logging_config.include_cookies"); v == true {
			bad = append(bad, where+": logging_config.include_cookies: the logs would hold session cookies")
		}
		bucketRef := ref(Str(m, d, "logging_config.bucket"), "bucket_domain_name")
		if b, ok := m.Instance(bucketRef); !ok || b.Block.Labels[0] != "aws_s3_bucket" {
			bad = append(bad, where+": logging_config.bucket must be the bucket_domain_name of a bucket of this configuration")
			continue
		}
		ownership := ""
		for _, oc := range m.Instances("aws_s3_bucket_ownership_controls") {
			if ref(Str(oc.In, oc.Block, "bucket"), "id") == bucketRef {
				ownership = Str(oc.In, oc.Block, "rule.object_ownership")
			}
		}
		if ownership != "BucketOwnerPreferred" && ownership != "ObjectWriter" {
			bad = append(bad, fmt.Sprintf("%s: %s has ACLs disabled (object ownership %q): CloudFront's log delivery cannot write to it", where, bucketRef, ownership))
		}
		granted := false
		for _, acl := range m.Instances("aws_s3_bucket_acl") {
			if ref(Str(acl.In, acl.Block, "bucket"), "id") != bucketRef {
				continue
			}
			for _, p := range Blocks(acl.Block.Body, "access_control_policy") {
				for _, g := range Blocks(p.Body, "grant") {
					id := Str(acl.In, g, "grantee.id")
					switch {
					case Str(acl.In, g, "grantee.type") != "CanonicalUser":
						bad = append(bad, fmt.Sprintf("%s: %s grants a %s: only the owner and awslogsdelivery may be granted", g.DefRange(), acl.Name(), Str(acl.In, g, "grantee.type")))
					case strings.Contains(id, "data.aws_cloudfront_log_delivery_canonical_user_id."):
						granted = granted || Str(acl.In, g, "permission") == "FULL_CONTROL"
					case !strings.Contains(id, "data.aws_canonical_user_id."):
						bad = append(bad, fmt.Sprintf("%s: %s grants %s: only the owner and awslogsdelivery may be granted", g.DefRange(), acl.Name(), id))
					}
				}
			}
		}
		if !granted {
			bad = append(bad, fmt.Sprintf("%s: no aws_s3_bucket_acl of %s grants the awslogsdelivery account (data.aws_cloudfront_log_delivery_canonical_user_id) FULL_CONTROL", where, bucketRef))
		}
		expires := false
		for _, lc := range m.Instances("aws_s3_bucket_lifecycle_configuration") {
			if ref(Str(lc.In, lc.Block, "bucket"), "id") != bucketRef {
				continue
			}
			for _, rule := range Blocks(lc.Block.Body, "rule") {
				if _, ok := Attr(lc.In, rule, "expiration.days"); ok && Str(lc.In, rule, "status") == "Enabled" {
					expires = true
				}
			}
		}
		if !expires {
			bad = append(bad, where+": CloudFront's logs never expire (a lifecycle rule with expiration.days on "+bucketRef+")")
		}
	}
	return bad
}
