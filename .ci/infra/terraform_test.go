package infra

import (
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var terraformDir = filepath.Join("..", "..", "terraform")

func mustLoadTerraform(t testing.TB) *Module {
	t.Helper()
	m, err := LoadDir(terraformDir)
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	return m
}

// TestTerraformPassesEveryCheck is the gate: the real configuration has
// every property of TerraformChecks.
func TestTerraformPassesEveryCheck(t *testing.T) {
	m := mustLoadTerraform(t)
	for _, c := range TerraformChecks {
		t.Run(c.Name, func(t *testing.T) {
			for _, v := range c.Run(m) {
				t.Errorf("%s\n    (%s)", v, c.Why)
			}
		})
	}
}

func TestTerraformFilesByConcern(t *testing.T) {
	m := mustLoadTerraform(t)
	for _, f := range []string{"providers.tf", "variables.tf", "network.tf", "lb.tf", "ec2.tf", "valkey.tf", "ecr.tf", "cognito.tf", "lambda.tf",
		"dynamodb.tf", "s3.tf", "kms.tf", "iam.tf", IAMFile, "outputs.tf", "monitoring.tf", "waf.tf"} {
		if _, ok := m.Sources[f]; !ok {
			t.Errorf("terraform/%s is missing", f)
		}
	}
	tfvars, err := readFile(filepath.Join(terraformDir, "terraform.tfvars.example"))
	if err != nil {
		t.Fatalf("terraform.tfvars.example: %v", err)
	}
	for _, v := range []string{"ses_identity", "image_tag", "domain"} {
		if !strings.Contains(tfvars, v+" ") && !strings.Contains(tfvars, v+"=") {
			t.Errorf("terraform.tfvars.example does not set %s", v)
		}
	}
	// Every variable without a default must be in the example.
	for name, v := range m.Variables {
		if _, hasDefault := v.Body.Attributes["default"]; !hasDefault && !strings.Contains(tfvars, name) {
			t.Errorf("variable %s has no default and is not in terraform.tfvars.example", name)
		}
	}
}

// TestForEachInstances: the log buckets' for_each is seen per instance,
// each rendered with its key, as the S3 and access-log checks read them.
func TestForEachInstances(t *testing.T) {
	m := mustLoadTerraform(t)
	var buckets []string
	for _, b := range m.Instances("aws_s3_bucket") {
		buckets = append(buckets, b.Name())
	}
	if want := []string{`aws_s3_bucket.logs["lb"]`, `aws_s3_bucket.logs["cdn"]`, "aws_s3_bucket.blobs"}; !slices.Equal(buckets, want) {
		t.Errorf("buckets %q, want %q", buckets, want)
	}
	for key, ownership := range map[string]string{"lb": "BucketOwnerEnforced", "cdn": "BucketOwnerPreferred"} {
		oc, ok := m.Instance(`aws_s3_bucket_ownership_controls.logs["` + key + `"]`)
		if !ok {
			t.Fatalf("no ownership controls of the %s log bucket", key)
		}
		if got, want := Str(oc.In, oc.Block, "bucket"), `${aws_s3_bucket.logs["`+key+`"].id}`; got != want {
			t.Errorf("%s: bucket %q, want %q", oc.Name(), got, want)
		}
		if got := Str(oc.In, oc.Block, "rule.object_ownership"); got != ownership {
			t.Errorf("%s: object_ownership %q, want %q", oc.Name(), got, ownership)
		}
	}
	for key, sids := range map[string][]string{
		"lb":  {"ELBAccountWritesLogs", "LogDeliveryWritesLogs", "DenyInsecureTransport"}, // source_policy_documents first, as the provider merges them
		"cdn": {"DenyInsecureTransport"},
	} {
		p, ok := m.Instance(`aws_s3_bucket_policy.logs["` + key + `"]`)
		if !ok {
			t.Fatalf("no policy of the %s log bucket", key)
		}
		doc := DocOf(Str(p.In, p.Block, "policy"))
		if want := `aws_iam_policy_document.logs_bucket["` + key + `"]`; doc != want {
			t.Errorf("%s: policy of document %q, want %q", p.Name(), doc, want)
		}
		var got []string
		for _, s := range m.DocStatements(doc) {
			got = append(got, s.Sid)
		}
		if !slices.Equal(got, sids) {
			t.Errorf("%s: statements %q, want %q", doc, got, sids)
		}
	}
}

// TestTerraformFmt runs `terraform fmt -check` when the binary is here
// (check.sh runs it too; this keeps `go test` honest on its own).
func TestTerraformFmt(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed: fmt is checked by check.sh where it is")
	}
	cmd := exec.Command(tf, "fmt", "-check", "-recursive", "-diff", ".")
	cmd.Dir = terraformDir
	cmd.Env = append(cmd.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}

// edit is one textual change to a file of the real configuration.
type edit struct{ file, old, new string }

// breakers are deliberately broken variants of the real configuration, per
// check: each must make its check fail, so a check that can never fail (a
// typo in an attribute path, say) is caught.
var breakers = map[string][][]edit{
	"references-resolve": {
		{{"ec2.tf", "instance_type          = var.instance_type", "instance_type          = var.instance_typo"}},
		{{"iam.tf", "resources = [aws_dynamodb_table.users.arn]", "resources = [aws_dynamodb_table.user.arn]"}},
		{{"user_data.sh.tftpl", "valkey_pw=$(ssm_value '${valkey_password_parameter}')", "valkey_pw=$(ssm_value '${valkey_password_param}')"}},
		{{"iam.tf", "data.aws_iam_policy_document.kms_use.json,", "data.aws_iam_policy_document.kms_usage.json,"}},
	},
	"no-unused-declarations": {
		{{"variables.tf", `variable "region" {`, "variable \"unused\" {\n  type = string\n}\n\nvariable \"region\" {"}},
	},
	"iam-policies-are-documents": {
		{{"iam.tf", "policy = data.aws_iam_policy_document.app.json", `policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })`}},
		{{"monitoring.tf", "  policy   = data.aws_iam_policy_document.logs_bucket[each.key].json", "  policy   = jsonencode({ Version = \"2012-10-17\", Statement = [] })"}},
		{{"iam.tf", `resource "aws_iam_instance_profile" "app" {`, "resource \"aws_iam_role_policy_attachment\" \"admin\" {\n  role       = aws_iam_role.app.name\n  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n}\n\nresource \"aws_iam_instance_profile\" \"app\" {"}},
	},
	"iam-no-wildcard-actions": {
		{{"iam.tf", `actions   = ["ssm:GetParameter"]`, `actions   = ["ssm:*"]`}},
		{{"iam.tf", `actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]`, `actions   = ["dynamodb:*"]`}},
		{{"kms.tf", `actions   = ["kms:DescribeKey"]`, `actions   = ["*"]`}},
		{{"sns.tf", `actions   = ["sns:Publish"]`, `not_actions = ["iam:*"]`}},
	},
	"iam-no-wildcard-resources": {
		{{"iam.tf", "resources = [aws_ssm_parameter.cognito_client_secret.arn, aws_ssm_parameter.valkey_password.arn]", `resources = ["*"]`}},
		{{"ecr.tf", "    resources = [\"*\"]\n\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:RequestedRegion\"\n      values   = [var.region]\n    }\n  }\n\n  statement {\n    sid    = \"PushImages\"", "    resources = [\"*\"]\n  }\n\n  statement {\n    sid    = \"PushImages\""}},
		{{"kms.tf", `actions   = ["kms:CreateKey"]`, `actions   = ["kms:CreateKey", "kms:ScheduleKeyDeletion"]`}},
		{{"local:kms_keys_arn", "", `"arn:${local.partition}:kms:${var.region}:${local.account_id}:*"`}},
		{{"sns.tf", "actions   = [\"sns:Publish\"]\n    resources = [local.user_topics_arn]", "actions   = [\"sns:Publish\"]\n    not_resources = [local.user_topics_arn]"}},
	},
	"iam-no-wildcard-principals": {
		{{"iam.tf", `identifiers = ["ec2.amazonaws.com"]`, `identifiers = ["*"]`}},
	},
	"iam-no-access-keys": {
		{{"iam.tf", `resource "aws_iam_instance_profile" "app" {`, "resource \"aws_iam_user\" \"deploy\" {\n  name = \"deploy\"\n}\n\nresource \"aws_iam_access_key\" \"deploy\" {\n  user = aws_iam_user.deploy.name\n}\n\nresource \"aws_iam_instance_profile\" \"app\" {"}},
	},
	"kms-bound-to-app": {
		{{"kms.tf", "      variable = \"kms:EncryptionContext:app\"\n      values   = [var.app_name]", "      variable = \"kms:EncryptionContext:app\"\n      values   = [\"other\"]"}},
		{{"kms.tf", "      test     = \"StringEquals\"\n      variable = \"aws:ResourceTag/app\"", "      test     = \"StringEquals\"\n      variable = \"aws:ResourceTag/team\""}},
		{{"kms.tf", `test     = "StringEquals"
      variable = "aws:RequestTag/app"`, `test     = "StringLike"
      variable = "aws:RequestTag/app"`}},
		{{"kms.tf", `actions   = ["kms:DescribeKey"]`, `actions   = ["kms:DescribeKey", "kms:ScheduleKeyDeletion"]`}},
		{{"kms.tf", "variable = \"kms:ScheduleKeyDeletionPendingWindowInDays\"\n      values   = [\"7\"]", "variable = \"kms:ScheduleKeyDeletionPendingWindowInDays\"\n      values   = [\"1\"]"}},
		{{"local:kms_aliases_arn", "", `"arn:${local.partition}:kms:${var.region}:${local.account_id}:alias/*"`}},
		{{"kms.tf", "      test     = \"StringEquals\"\n      variable = \"kms:EncryptionContext:purpose\"", "      test     = \"StringLike\"\n      variable = \"kms:EncryptionContext:purpose\""}},
	},
	"kms-app-key": {
		{{"kms.tf", "  enable_key_rotation     = true\n", ""}},
		{{"kms.tf", "  policy                  = data.aws_iam_policy_document.app_key_policy.json\n}", "  policy                  = data.aws_iam_policy_document.app_key_policy.json\n\n  tags = {\n    app = var.app_name\n  }\n}"}},
		{{"kms.tf", "      variable = \"kms:EncryptionContext:purpose\"\n      values   = [\"cookie-keys\", \"decrypt-record\"]", "      variable = \"kms:EncryptionContext:purpose\"\n      values   = [\"cookie-keys\", \"decrypt-record\", \"sessions\"]"}},
		{{"kms.tf", `actions   = ["kms:Encrypt", "kms:Decrypt"]`, `actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]`}},
		{{"kms.tf", `sid    = "AppKeyIsForCookieKeysOnly"
    effect = "Deny"`, `sid    = "AppKeyIsForCookieKeysOnly"
    effect = "Allow"`}},
		{{"outputs.tf", "  value       = aws_kms_key.app.arn\n", "  value       = aws_iam_role.app.arn\n"}},
		{{"kms.tf", "  target_key_id = aws_kms_key.app.key_id\n", "  target_key_id = \"some-other-key\"\n"}},
		{{"kms.tf", "sid       = \"Readiness\"\n    effect    = \"Allow\"\n    actions   = [\"kms:DescribeKey\"]",
			"sid       = \"Readiness\"\n    effect    = \"Allow\"\n    actions   = [\"kms:DescribeKey\", \"kms:Decrypt\"]"}},
	},
	"s3-public-access-blocked": {
		{{"s3.tf", "restrict_public_buckets = true", "restrict_public_buckets = false"}},
		// The log buckets' for_each: each bucket needs its own instance.
		{{"monitoring.tf", "resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  for_each = aws_s3_bucket.logs", "resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  for_each = { lb = aws_s3_bucket.logs[\"lb\"] }"}},
		{{"monitoring.tf", "  ignore_public_acls      = true", "  ignore_public_acls      = each.key == \"lb\""}},
		{{"s3.tf", "block_public_acls       = true", "block_public_acls       = var.region == \"x\""}},
		{{"s3.tf", `resource "aws_s3_bucket_public_access_block" "blobs" {
  bucket = aws_s3_bucket.blobs.id`, `resource "aws_s3_bucket_public_access_block" "blobs" {
  bucket = "some-other-bucket"`}},
	},
	"s3-tls-only": {
		{{"s3.tf", `values   = ["false"]`, `values   = ["true"]`}},
		{{"s3.tf", `resources = [aws_s3_bucket.blobs.arn, "${aws_s3_bucket.blobs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"`, `resources = [aws_s3_bucket.blobs.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"`}},
		{{"s3.tf", `sid       = "DenyInsecureTransport"
    effect    = "Deny"`, `sid       = "DenyInsecureTransport"
    effect    = "Allow"`}},
		{{"monitoring.tf", `resources = [each.value.arn, "${each.value.arn}/*"]`, `resources = [each.value.arn]`}},
		{{"monitoring.tf", "  policy   = data.aws_iam_policy_document.logs_bucket[each.key].json", "  policy   = data.aws_iam_policy_document.lb_log_delivery.json"}},
	},
	"s3-encrypted": {
		{{"s3.tf", `sse_algorithm = "AES256"`, `sse_algorithm = "none"`}},
		{{"monitoring.tf", `sse_algorithm = "AES256"`, `sse_algorithm = each.key == "lb" ? "AES256" : "none"`}},
	},
	"s3-owner-enforced": {
		{{"s3.tf", `object_ownership = "BucketOwnerEnforced"`, `object_ownership = "ObjectWriter"`}},
		// The ALB's log bucket may not have ACLs: only CloudFront's log bucket may.
		{{"monitoring.tf", `object_ownership = each.key == "cdn" ? "BucketOwnerPreferred" : "BucketOwnerEnforced"`, `object_ownership = "BucketOwnerPreferred"`}},
		{{"monitoring.tf", `object_ownership = each.key == "cdn" ? "BucketOwnerPreferred" : "BucketOwnerEnforced"`, `object_ownership = each.key == "lb" ? "BucketOwnerPreferred" : "BucketOwnerEnforced"`}},
	},
	"s3-lifecycle": {
		{{"s3.tf", "days_after_initiation = 1", "days_after_initiation = 30"}},
		{{"s3.tf", "noncurrent_version_expiration {\n      noncurrent_days = var.noncurrent_version_days\n    }\n", ""}},
		{{"monitoring.tf", "      days_after_initiation = 1", "      days_after_initiation = each.key == \"cdn\" ? 1 : 7"}},
	},
	"dynamodb-pitr": {
		{{"dynamodb.tf", "  point_in_time_recovery {\n    enabled = true\n  }\n", "  point_in_time_recovery {\n    enabled = false\n  }\n"}},
		{{"dynamodb.tf", "  point_in_time_recovery {\n    enabled = true\n  }\n\n  server_side_encryption {\n    enabled = true\n  }\n\n  ttl", "  server_side_encryption {\n    enabled = true\n  }\n\n  ttl"}},
	},
	"dynamodb-sse": {
		{{"dynamodb.tf", "  server_side_encryption {\n    enabled = true\n  }\n\n  ttl {\n    attribute_name = \"expires_at\"\n    enabled        = true\n  }\n}\n", "  ttl {\n    attribute_name = \"expires_at\"\n    enabled        = true\n  }\n}\n"}},
	},
	"dynamodb-schema": {
		{{"dynamodb.tf", `name            = "unread-index"`, `name            = "unread-idx"`}},
		{{"dynamodb.tf", `hash_key                    = "username"`, `hash_key                    = "user_id"`}},
		{{"dynamodb.tf", `billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "message_id"`, `billing_mode                = "PROVISIONED"
  hash_key                    = "message_id"`}},
		{{"dynamodb.tf", `    hash_key        = "sender_id"
    range_key       = "sort_key"`, `    hash_key        = "sender_id"`}},
		{{"dynamodb.tf", `    name            = "user_id-index"
    hash_key        = "user_id"
    projection_type = "KEYS_ONLY"`, `    name            = "user_id-index"
    hash_key        = "user_id"
    projection_type = "ALL"`}},
		{{"dynamodb.tf", `    name            = "request-index"
    hash_key        = "request_recipient_id"
    range_key       = "sort_key"
    projection_type = "ALL"`, `    name            = "request-index"
    hash_key        = "request_recipient_id"
    range_key       = "sort_key"
    projection_type = "KEYS_ONLY"`}},
	},
	"ec2-imdsv2": {
		{{"ec2.tf", `http_tokens                 = "required"`, `http_tokens                 = "optional"`}},
		{{"ec2.tf", "http_put_response_hop_limit = 2", "http_put_response_hop_limit = 64"}},
	},
	"ec2-root-volume-encrypted": {
		{{"ec2.tf", "encrypted             = true", "encrypted             = false"}},
	},
	"ec2-ingress": {
		// The instances open to the world, or to SSH.
		{{"ec2.tf", "  referenced_security_group_id = aws_security_group.lb.id\n}", "  cidr_ipv4                    = \"0.0.0.0/0\"\n}"}},
		{{"ec2.tf", "  from_port                    = local.app_port\n  to_port                      = local.app_port\n  referenced_security_group_id = aws_security_group.lb.id",
			"  from_port                    = 22\n  to_port                      = 22\n  referenced_security_group_id = aws_security_group.lb.id"}},
		{{"ec2.tf", "  lifecycle {\n    create_before_destroy = true\n  }", "  ingress {\n    from_port   = 3000\n    to_port     = 3000\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  lifecycle {\n    create_before_destroy = true\n  }"}},
		{{"ec2.tf", "  update_default_version = true\n", "  update_default_version = true\n  key_name               = \"admin\"\n"}},
		// The load balancer open on another port; Valkey open to more than the app.
		{{"lb.tf", "  from_port         = 443\n  to_port           = 443", "  from_port         = 8443\n  to_port           = 8443"}},
		{{"valkey.tf", "  referenced_security_group_id = aws_security_group.app.id", "  referenced_security_group_id = aws_security_group.lb.id"}},
	},
	"ec2-instance-profile": {
		{{"ec2.tf", "  iam_instance_profile {\n    name = aws_iam_instance_profile.app.name\n  }\n", ""}},
	},
	"lb-https": {
		{{"lb.tf", `tls_policy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"`, `tls_policy = "ELBSecurityPolicy-2016-08"`}},
		{{"lb.tf", "      protocol    = \"HTTPS\"\n      port        = \"443\"", "      protocol    = \"HTTP\"\n      port        = \"8080\""}},
		{{"lb.tf", `    viewer_protocol_policy   = "redirect-to-https"`, `    viewer_protocol_policy   = "allow-all"`}},
		{{"lb.tf", "  internal                   = !local.alb_https\n", "  internal                   = false\n"}},
		{{"lb.tf", "resource \"aws_lb_listener\" \"from_cloudfront\" {\n  count             = local.alb_https ? 0 : 1", "resource \"aws_lb_listener\" \"from_cloudfront\" {\n  count             = 1"}},
	},
	"asg": {
		{{"ec2.tf", "  vpc_zone_identifier       = aws_subnet.private[*].id", "  vpc_zone_identifier       = aws_subnet.public[*].id"}},
		{{"ec2.tf", `  health_check_type         = "ELB"`, `  health_check_type         = "EC2"`}},
		{{"lb.tf", `    path                = var.health_check_path`, `    path                = "/"`}},
		{{"variables.tf", "    condition     = var.min_instances >= 2", "    condition     = var.min_instances >= 1"}},
	},
	"valkey": {
		{{"valkey.tf", "  transit_encryption_enabled  = true", "  transit_encryption_enabled  = false"}},
		{{"valkey.tf", "  num_cache_clusters          = 2", "  num_cache_clusters          = 1"}},
		{{"valkey.tf", "  security_group_ids          = [aws_security_group.valkey.id]", "  security_group_ids          = [aws_security_group.app.id]"}},
	},
	"images-by-tag": {
		{{"ecr.tf", `image_tag_mutability = "IMMUTABLE"`, `image_tag_mutability = "MUTABLE"`}},
		{{"ecr.tf", "  lifecycle {\n    ignore_changes = [value]\n  }\n", ""}},
		{{"user_data.sh.tftpl", "docker compose -f compose.yml up -d --no-build app", "docker compose -f compose.yml up -d --build app"}},
	},
	"app-env": {
		{{"lb.tf", `  base_url  = "https://${local.site_host}"`, `  base_url  = "http://${local.site_host}"`}},
		{{"ec2.tf", `    IMAGEAPP_TRUSTED_PROXIES=${join(",", local.lb_subnet_cidrs)}`, `    IMAGEAPP_TRUSTED_PROXIES=0.0.0.0/0`}},
		{{"ec2.tf", "    IMAGEAPP_VALKEY_URL=rediss://", "    IMAGEAPP_VALKEY_URL=redis://"}},
		{{"ec2.tf", "    IMAGEAPP_BACKEND=aws\n", "    IMAGEAPP_BACKEND=aws\n    IMAGEAPP_ALLOW_INSECURE_HTTP=1\n"}},
	},
	"cognito-ses": {
		{{"cognito.tf", `    email_sending_account = "DEVELOPER"`, `    email_sending_account = "COGNITO_DEFAULT"`}},
	},
	"iam-matches-code": {
		// A grant no line needs, a line the policies lack, a key-scoped grant widened.
		{{"iam.tf", `actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]`, `actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]`}},
		{{IAMFile, "app     dynamodb:Query                   table/users/index/directory-index    code\n", ""}},
		{{IAMFile, "app     ssm:GetParameter                 param/client-secret                  boot\n", "app     ssm:GetParameter                 param/client-secret                  boot\napp     dynamodb:Scan                    table/users                          code\n"}},
		{{"iam.tf", "    condition {\n      test     = \"ForAllValues:StringEquals\"\n      variable = \"dynamodb:LeadingKeys\"\n      values   = [\"#cookie-keys\"]\n    }\n", ""}},
		{{"sns.tf", "    resources = [\"${local.user_topics_arn}:*\"]", "    resources = [local.user_topics_arn]"}},
	},
	"user-data-no-secrets": {
		{{"user_data.sh.tftpl", "export DEBIAN_FRONTEND=noninteractive", "export DEBIAN_FRONTEND=noninteractive\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"}},
		{{"user_data.sh.tftpl", "export DEBIAN_FRONTEND=noninteractive", "export DEBIAN_FRONTEND=noninteractive\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{{"ec2.tf", "    publish_port              = local.app_port\n", "    publish_port              = local.app_port\n    client_secret             = aws_cognito_user_pool_client.web.client_secret\n"},
			{"user_data.sh.tftpl", "IMAGEAPP_PUBLISH_PORT=${publish_port}", "echo '${client_secret}' >/dev/null\nIMAGEAPP_PUBLISH_PORT=${publish_port}"}},
		{{"ec2.tf", "    IMAGEAPP_BUCKET=${aws_s3_bucket.blobs.id}\n", "    IMAGEAPP_BUCKET=${aws_s3_bucket.blobs.id}\n    IMAGEAPP_COGNITO_CLIENT_SECRET=${aws_ssm_parameter.cognito_client_secret.value}\n"}},
		{{"user_data.sh.tftpl", "umask 077", "umask 077\nDB_PASSWORD=hunter2hunter2"}},
	},
	"lambda-runtime": {
		{{"lambda.tf", `runtime          = "provided.al2023"`, `runtime          = "go1.x"`}},
		{{"lambda.tf", `handler          = "bootstrap"`, `handler          = "main"`}},
		{{"lambda.tf", `architectures    = ["arm64"]`, `architectures    = ["arm64", "x86_64"]`}},
		{{"lambda.tf", "      IMAGEAPP_APP_NAME         = var.app_name\n", ""}},
		{{"lambda.tf", "      IMAGEAPP_APP_ROLE_ARN     = aws_iam_role.app.arn    # named in each new user key's policy\n", ""}},
		{{"lambda.tf", `name              = "/aws/lambda/${local.lambda_name}"`, `name              = "/lambda/${local.lambda_name}"`}},
	},
	"lambda-timeout": {
		{{"lambda.tf", "  timeout = 3\n", "  timeout = 5\n"}},
	},
	"log-retention": {
		{{"lambda.tf", "  retention_in_days = var.log_retention_days\n", ""}},
	},
	"cognito-password-policy": {
		{{"cognito.tf", "minimum_length                   = 10", "minimum_length                   = 8"}},
		{{"cognito.tf", "require_symbols                  = false", "require_symbols                  = true"}},
	},
	"cognito-pool": {
		{{"cognito.tf", `default_email_option = "CONFIRM_WITH_CODE"`, `default_email_option = "CONFIRM_WITH_LINK"`}},
		{{"cognito.tf", "case_sensitive = false", "case_sensitive = true"}},
		{{"cognito.tf", `principal      = "cognito-idp.amazonaws.com"`, `principal      = "events.amazonaws.com"`}},
		{{"cognito.tf", "source_arn     = aws_cognito_user_pool.users.arn", `source_arn     = "arn:aws:cognito-idp:*"`}},
		{{"cognito.tf", "  lambda_config {\n    post_confirmation = aws_lambda_function.post_confirmation.arn\n  }\n", ""}},
		{{"cognito.tf", `auto_verified_attributes = ["email"]`, `auto_verified_attributes = ["phone_number"]`}},
	},
	"cognito-client": {
		{{"cognito.tf", "generate_secret               = true", "generate_secret               = false"}},
		{{"cognito.tf", `explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]`, `explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]`}},
		{{"cognito.tf", `prevent_user_existence_errors = "ENABLED"`, `prevent_user_existence_errors = "LEGACY"`}},
	},
	"client-secret-in-ssm": {
		{{"cognito.tf", `type        = "SecureString"`, `type        = "String"`}},
		{{"iam.tf", "resources = [aws_ssm_parameter.cognito_client_secret.arn, aws_ssm_parameter.valkey_password.arn]", `resources = ["${aws_ssm_parameter.cognito_client_secret.arn}*", aws_ssm_parameter.valkey_password.arn]`}},
	},
	"rollout": {
		{{"ec2.tf", "      auto_rollback          = true\n", "      auto_rollback          = false\n"}},
		{{"ec2.tf", "      checkpoint_percentages = var.rollout_checkpoints\n", ""}},
		{{"variables.tf", "  default     = [10, 50, 100]", "  default     = [100]"}},
		{{"ec2.tf", "      alarm_specification {\n        alarms = local.rollout_alarms\n      }\n", ""}},
		{{"monitoring.tf", "    aws_cloudwatch_metric_alarm.rollout_unhealthy_hosts.alarm_name,\n", ""}},
		{{"ec2.tf", "    version = aws_launch_template.app.default_version", "    version = aws_launch_template.app.latest_version"}},
		{{"ec2.tf", "      (local.image_tag_key) = local.first_tag\n", ""}},
		{{"ec2.tf", "  owners = [\"099720109477\"] # Canonical\n", "  owners      = [\"099720109477\"] # Canonical\n  most_recent = true\n"}},
		{{"ec2.tf", "    values = [var.ami_id]", "    values = [\"ubuntu/images/*\"]"}},
		{{"user_data.sh.tftpl", "tags/instance/${image_tag_key}", "placement/region"}},
	},
	"alarms": {
		{{"monitoring.tf", "      metric_name = \"HTTPCode_Target_5XX_Count\"", "      metric_name = \"RequestCount\""}},
		{{"monitoring.tf", "  metric_name         = \"UnHealthyHostCount\"", "  metric_name         = \"HealthyHostCount\""}},
		{{"monitoring.tf", "  metric_name         = \"TargetResponseTime\"", "  metric_name         = \"RequestCount\""}},
		{{"monitoring.tf", ", GlobalSecondaryIndexName = each.value.index }", " }"}, {"monitoring.tf", ", GlobalSecondaryIndexName = each.value.index }", " }"}},
		{{"monitoring.tf", "  metric_name         = \"Errors\"", "  metric_name         = \"Invocations\""}},
		{{"monitoring.tf", "  metric_name         = \"Reputation.BounceRate\"", "  metric_name         = \"Send\""}},
		{{"monitoring.tf", "SUM(NumberOfNotificationsFailed)", "SUM(NumberOfMessagesPublished)"}},
		{{"monitoring.tf", "  metric_name         = \"DatabaseMemoryUsagePercentage\"", "  metric_name         = \"CPUUtilization\""}},
		{{"monitoring.tf", "      metric_name = \"CallCount\"", "      metric_name = \"ResourceCount\""}},
		{{"monitoring.tf", "  alarm_actions       = [aws_sns_topic.alarms.arn]\n  ok_actions          = [aws_sns_topic.alarms.arn]\n}\n\n# --- the other alarms", "}\n\n# --- the other alarms"}},
	},
	"lb-access-logs": {
		{{"lb.tf", "    enabled = true\n", "    enabled = false\n"}},
		{{"monitoring.tf", "      identifiers = [\"logdelivery.elasticloadbalancing.amazonaws.com\"]", "      identifiers = [\"s3.amazonaws.com\"]"}},
		{{"monitoring.tf", "      identifiers = [data.aws_elb_service_account.current.arn]", "      identifiers = [\"arn:aws:iam::${local.account_id}:root\"]"}},
		{{"monitoring.tf", "    resources = [\"${aws_s3_bucket.logs[\"lb\"].arn}/alb/AWSLogs/${local.account_id}/*\"]\n\n    principals {\n      type        = \"AWS\"", "    resources = [\"${aws_s3_bucket.blobs.arn}/*\"]\n\n    principals {\n      type        = \"AWS\""}},
		// The writers' statements reach the ALB's bucket only through its policy's source_policy_documents.
		{{"monitoring.tf", `source_policy_documents = each.key == "lb" ? [data.aws_iam_policy_document.lb_log_delivery.json] : []`, `source_policy_documents = each.key == "cdn" ? [data.aws_iam_policy_document.lb_log_delivery.json] : []`}},
		{{"lb.tf", `    bucket  = aws_s3_bucket.logs["lb"].id`, `    bucket  = aws_s3_bucket.logs["alb"].id`}},
		{{"monitoring.tf", "    expiration {\n      days = var.lb_log_days\n    }\n", "    noncurrent_version_expiration {\n      noncurrent_days = var.lb_log_days\n    }\n"}},
	},
	"cdn-access-logs": {
		{{"lb.tf", "  logging_config {\n    bucket          = aws_s3_bucket.logs[\"cdn\"].bucket_domain_name\n    prefix          = \"cloudfront/\"\n    include_cookies = false\n  }\n", ""}},
		{{"lb.tf", "    include_cookies = false", "    include_cookies = true"}},
		{{"lb.tf", "    bucket          = aws_s3_bucket.logs[\"cdn\"].bucket_domain_name", "    bucket          = \"somewhere.s3.amazonaws.com\""}},
		{{"monitoring.tf", `object_ownership = each.key == "cdn" ? "BucketOwnerPreferred" : "BucketOwnerEnforced"`, `object_ownership = "BucketOwnerEnforced"`}},
		{{"monitoring.tf", "resource \"aws_s3_bucket_acl\" \"cdn_logs\" {\n  bucket = aws_s3_bucket.logs[\"cdn\"].id", "resource \"aws_s3_bucket_acl\" \"cdn_logs\" {\n  bucket = aws_s3_bucket.logs[\"lb\"].id"}},
		{{"monitoring.tf", "        id   = data.aws_cloudfront_log_delivery_canonical_user_id.current.id", "        id   = data.aws_canonical_user_id.current.id"}},
		{{"monitoring.tf", "        id   = data.aws_cloudfront_log_delivery_canonical_user_id.current.id\n        type = \"CanonicalUser\"", "        uri  = \"http://acs.amazonaws.com/groups/global/AllUsers\"\n        type = \"Group\""}},
		{{"monitoring.tf", "    expiration {\n      days = var.lb_log_days\n    }\n  }\n}\n\ndata \"aws_iam_policy_document\" \"logs_bucket\"", "  }\n}\n\ndata \"aws_iam_policy_document\" \"logs_bucket\""}},
		{{"monitoring.tf", "    id     = \"expire-logs\"\n    status = \"Enabled\"", "    id     = \"expire-logs\"\n    status = each.key == \"cdn\" ? \"Disabled\" : \"Enabled\""}},
	},
	"valkey-auth": {
		{{"valkey.tf", "  user_group_ids              = [aws_elasticache_user_group.app.user_group_id]\n", ""}},
		{{"valkey.tf", "  access_string = \"off -@all\"", "  access_string = \"on ~* +@all\""}},
		{{"valkey.tf", "    type      = \"password\"\n    passwords = [data.aws_secretsmanager_random_password.valkey.random_password]", "    type = \"no-password-required\""}},
		{{"valkey.tf", "  type        = \"SecureString\"", "  type        = \"String\""}},
		{{"iam.tf", "    resources = [aws_ssm_parameter.cognito_client_secret.arn, aws_ssm_parameter.valkey_password.arn]", "    resources = [aws_ssm_parameter.cognito_client_secret.arn]"}, {"iam-actions.txt", "app     ssm:GetParameter                 param/valkey-password                boot\n", ""}},
		{{"ec2.tf", "    valkey_password_parameter = aws_ssm_parameter.valkey_password.name\n", "    valkey_password_parameter = aws_ssm_parameter.valkey_password.value\n"}},
	},
	"waf": {
		{{"waf.tf", "  count       = var.waf_enabled ? 1 : 0\n", ""}},
		{{"waf.tf", "        scope_down_statement {", "        dummy_scope {"}},
		{{"waf.tf", `"/forgot", "/api/signup"`, `"/api/signup"`}},
		{{"waf.tf", "  resource_arn = aws_lb.app.arn", "  resource_arn = aws_lb.app.id"}},
		{{"waf.tf", `    "AWSManagedRulesCommonRuleSet" = { priority = 30`, `    "AWSManagedRulesSQLiRuleSet" = { priority = 30`}},
	},
	"kms-key-policy": {
		{{"kms.tf", "  policy                  = data.aws_iam_policy_document.app_key_policy.json\n", ""}},
		{{"kms.tf", "      identifiers = [aws_iam_role.app.arn, aws_iam_role.lambda.arn]", "      identifiers = [aws_iam_role.app.arn, aws_iam_role.lambda.arn, aws_iam_role.app.id]"}},
		{{"kms.tf", "  policy                  = data.aws_iam_policy_document.root_key_policy.json\n", ""}},
		{{"kms.tf", `      "kms:DescribeKey", "kms:GetKeyPolicy",`, `      "kms:DescribeKey", "kms:Decrypt", "kms:GetKeyPolicy",`}},
		{{"kms.tf", "      identifiers = [aws_iam_role.app.arn]\n    }\n\n    condition {\n      test     = \"StringEquals\"\n      variable = \"kms:EncryptionContext:app\"", "      identifiers = [aws_iam_role.lambda.arn]\n    }\n\n    condition {\n      test     = \"StringEquals\"\n      variable = \"kms:EncryptionContext:app\""}},
	},
	"prod-compose": {
		{{"ec2.tf", `file("${path.module}/compose.prod.yml")`, `file("${path.module}/../docker-compose.yml")`}},
	},
	"outputs": {
		{{"outputs.tf", `output "IMAGEAPP_BUCKET" {`, `output "bucket" {`}},
		{{"ec2.tf", "    AWS_REGION=${var.region}\n", ""}},
		{{"ec2.tf", "    IMAGEAPP_APP_KEY_ID=${aws_kms_key.app.arn}\n", ""}},
		{{"outputs.tf", `output "IMAGEAPP_APP_ROLE_ARN" {`, `output "app_role" {`}},
		{{"outputs.tf", `output "app_log_group" {`, "output \"secret\" {\n  value = aws_cognito_user_pool_client.web.client_secret\n}\n\noutput \"app_log_group\" {"}},
	},
}

// apply makes a broken copy of the real sources. An edit whose file is
// "local:NAME" replaces the expression of local.NAME with new.
func apply(t *testing.T, real *Module, edits []edit) *Module {
	t.Helper()
	files := maps.Clone(real.Sources)
	for _, e := range edits {
		file, old := e.file, e.old
		if name, ok := strings.CutPrefix(e.file, "local:"); ok {
			l, found := real.Locals[name]
			if !found {
				t.Fatalf("breaker edits local.%s, which does not exist", name)
			}
			file, old = l.Expr.Range().Filename, real.Source(l.Expr.Range())
		}
		src, ok := files[file]
		if !ok {
			t.Fatalf("breaker edits %s, which does not exist", file)
		}
		if !strings.Contains(string(src), old) {
			t.Fatalf("breaker: %s no longer contains %q: update the breaker with the configuration", file, old)
		}
		files[file] = []byte(strings.Replace(string(src), old, e.new, 1))
	}
	m, err := Load(files)
	if err != nil {
		t.Fatalf("broken copy does not parse (a breaker must only break its property): %v", err)
	}
	return m
}

// TestEveryCheckFailsOnItsBrokenCopy proves each check can fail: every
// breaker makes its check report a violation.
func TestEveryCheckFailsOnItsBrokenCopy(t *testing.T) {
	real := mustLoadTerraform(t)
	for _, c := range TerraformChecks {
		variants := breakers[c.Name]
		if len(variants) == 0 {
			t.Errorf("check %s has no breaker: add a broken variant that it must catch", c.Name)
			continue
		}
		for i, edits := range variants {
			t.Run(c.Name+"/"+strings.TrimSuffix(edits[0].file, ".tf")+"#"+string(rune('0'+i)), func(t *testing.T) {
				broken := apply(t, real, edits)
				if c.Name != "references-resolve" {
					if problems := broken.UnresolvedReferences(); len(problems) > 0 {
						t.Fatalf("breaker also broke references (it must only break %s): %v", c.Name, problems)
					}
				}
				if got := c.Run(broken); len(got) == 0 {
					t.Errorf("check %s passed a configuration broken by %+v", c.Name, edits)
				} else {
					t.Logf("caught: %s", got[0])
				}
			})
		}
	}
	for name := range breakers {
		found := false
		for _, c := range TerraformChecks {
			found = found || c.Name == name
		}
		if !found {
			t.Errorf("breakers name check %q, which does not exist", name)
		}
	}
}

// TestUserDataIsValidBash renders the user data template the way
// templatefile does (with sample values) and has bash parse it.
func TestUserDataIsValidBash(t *testing.T) {
	m := mustLoadTerraform(t)
	var rendered []string
	for _, i := range instances(m) {
		a, ok := i.Body.Attributes["user_data"]
		if !ok {
			t.Fatalf("%s has no user_data", Name(i))
		}
		out, err := RenderTemplateCall(m, a.Expr, func(name string) string {
			switch name {
			case "app_env":
				return "IMAGEAPP_BACKEND=aws\nAWS_REGION=eu-central-1\n"
			case "compose_file":
				return mustRead(t, prodComposeFile)
			}
			return "sample-" + name
		})
		if err != nil {
			t.Fatal(err)
		}
		rendered = append(rendered, out)
	}
	if len(rendered) == 0 {
		t.Fatal("no launch template with user data")
	}
	for _, script := range rendered {
		if !strings.HasPrefix(script, "#!/bin/bash\n") {
			t.Errorf("user data must start with #!/bin/bash, starts %q", script[:min(20, len(script))])
		}
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("rendered user data is not valid bash: %v\n%s", err, out)
		}
		for _, want := range []string{"docker compose -f compose.yml pull app", "docker compose -f compose.yml up -d --no-build app", "chmod 0600 .env.aws", "<<'COMPOSEEOF'\n# What an instance runs"} {
			if !strings.Contains(script, want) {
				t.Errorf("user data must write the production compose file and .env.aws (0600), pull the tagged image and start it without building: lacks %q", want)
			}
		}
		for _, never := range []string{"dynamodb-local", "local-kms", "cognito-local", "dev-only-not-a-secret"} {
			if strings.Contains(script, never) {
				t.Errorf("user data carries the dev stack (%s): production gets terraform/compose.prod.yml only", never)
			}
		}
	}
}
