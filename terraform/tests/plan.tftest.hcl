# `terraform test` (.ci/infra/check.sh runs it): plan the whole configuration
# with the real AWS provider and no credentials, and assert its security
# properties on the rendered plan: IAM policies, listeners and TLS, security
# groups, the instances and the shared store. Two plans between them hold
# every resource: one with a domain (ALB + ACM + Route 53), one without
# (CloudFront in front of an internal ALB).
#
# Nothing here reaches AWS: the provider skips every call at configuration,
# the data sources that would call AWS (account, zones, AMI, CloudFront's
# managed policies, CloudFront's security group) are overridden, and so are
# the identifiers AWS would assign, so that the policy documents render at
# plan time and can be read.

provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "mock-access-key" # not a credential: nothing is sent
  secret_key                  = "mock-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"
  skip_region_validation      = true
  max_retries                 = 1
}

variables {
  ami_id       = "ami-0123456789abcdef0"
  ses_identity = "example.com"
  image_tag    = "0123456789abcdef0123456789abcdef01234567"
  lambda_zip   = "tests/lambda-stub.zip"
}

# --- what AWS would answer or assign ----------------------------------------

override_data {
  target = data.aws_caller_identity.current
  values = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
    user_id    = "AIDATERRAFORMTEST"
  }
}

override_data {
  target = data.aws_availability_zones.available
  values = {
    names    = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    zone_ids = ["euc1-az2", "euc1-az3", "euc1-az1"]
  }
}

override_data {
  target = data.aws_ami.ubuntu
  values = {
    id               = "ami-0123456789abcdef0"
    architecture     = "arm64"
    root_device_name = "/dev/sda1"
  }
}

override_data {
  target = data.aws_secretsmanager_random_password.valkey
  values = { random_password = "mockpasswordmockpasswordmockpassword0000" } # not a secret: nothing is sent
}

override_data {
  target = data.aws_cloudfront_cache_policy.disabled
  values = { id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" }
}

override_data {
  target = data.aws_cloudfront_origin_request_policy.all_viewer
  values = { id = "216adef6-5c7f-47e4-b989-5492eafa07d3" }
}

override_data {
  target = data.aws_security_group.cloudfront_vpc_origins
  values = { id = "sg-0cf0cf0cf0cf0cf00" }
}

override_resource {
  target          = aws_dynamodb_table.users
  override_during = plan
  values          = { arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/imageapp-users" }
}

override_resource {
  target          = aws_dynamodb_table.messages
  override_during = plan
  values          = { arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/imageapp-messages" }
}

override_resource {
  target          = aws_cognito_user_pool.users
  override_during = plan
  values = {
    id  = "eu-central-1_Test"
    arn = "arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_Test"
  }
}

override_resource {
  target          = aws_s3_bucket.blobs
  override_during = plan
  values = {
    id  = "imageapp-blobs-test"
    arn = "arn:aws:s3:::imageapp-blobs-test"
  }
}

override_resource {
  target          = aws_kms_key.app
  override_during = plan
  values = {
    key_id = "00000000-0000-4000-8000-000000000000"
    arn    = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-000000000000"
  }
}

override_resource {
  target          = aws_kms_key.root
  override_during = plan
  values = {
    key_id = "00000000-0000-4000-8000-0000000000aa"
    arn    = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-0000000000aa"
  }
}

override_resource {
  target          = aws_iam_role.lambda
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/imageapp-post-confirmation" }
}

override_resource {
  target          = aws_ssm_parameter.cognito_client_secret
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-central-1:123456789012:parameter/imageapp/cognito/client-secret" }
}

override_resource {
  target          = aws_ssm_parameter.image_tag
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-central-1:123456789012:parameter/imageapp/image-tag" }
}

override_resource {
  target          = aws_cloudwatch_log_group.app
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/imageapp/app" }
}

override_resource {
  target          = aws_cloudwatch_log_group.post_confirmation
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/imageapp-post-confirmation" }
}

override_resource {
  target          = aws_ecr_repository.app
  override_during = plan
  values = {
    arn            = "arn:aws:ecr:eu-central-1:123456789012:repository/imageapp"
    repository_url = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/imageapp"
  }
}

override_resource {
  target          = aws_autoscaling_group.app
  override_during = plan
  values          = { arn = "arn:aws:autoscaling:eu-central-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/imageapp-app" }
}

override_resource {
  target          = aws_ssm_parameter.valkey_password
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-central-1:123456789012:parameter/imageapp/valkey/password" }
}

override_resource {
  target          = aws_launch_template.app
  override_during = plan
  values          = { arn = "arn:aws:ec2:eu-central-1:123456789012:launch-template/lt-0123456789abcdef0", id = "lt-0123456789abcdef0" }
}

override_resource {
  target          = aws_lambda_function.post_confirmation
  override_during = plan
  values          = { arn = "arn:aws:lambda:eu-central-1:123456789012:function:imageapp-post-confirmation" }
}

override_resource {
  target          = aws_iam_role.app
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/imageapp-app" }
}

override_resource {
  target          = aws_s3_bucket.logs["lb"]
  override_during = plan
  values = {
    id  = "imageapp-lb-logs-test"
    arn = "arn:aws:s3:::imageapp-lb-logs-test"
  }
}

override_resource {
  target          = aws_s3_bucket.logs["cdn"]
  override_during = plan
  values = {
    id                 = "imageapp-cdn-logs-test"
    arn                = "arn:aws:s3:::imageapp-cdn-logs-test"
    bucket_domain_name = "imageapp-cdn-logs-test.s3.amazonaws.com"
  }
}

override_data {
  target = data.aws_canonical_user_id.current
  values = { id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" } # the account's canonical ID (an example)
}

override_resource {
  target          = aws_security_group.lb
  override_during = plan
  values          = { id = "sg-0000000000000001b" }
}

override_resource {
  target          = aws_security_group.app
  override_during = plan
  values          = { id = "sg-000000000000000a9" }
}

override_resource {
  target          = aws_security_group.valkey
  override_during = plan
  values          = { id = "sg-00000000000000077" }
}

# --- with a domain ------------------------------------------------------------

run "with_domain" {
  command = plan

  variables {
    domain          = "img.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  # HTTPS: the certificate's domain, the modern policy, and port 80 only redirects.
  assert {
    condition     = aws_acm_certificate.app[0].domain_name == "img.example.com" && aws_acm_certificate.app[0].validation_method == "DNS"
    error_message = "the ALB's certificate must be an ACM certificate for var.domain, validated by DNS"
  }
  assert {
    condition     = aws_lb_listener.https[0].protocol == "HTTPS" && aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    error_message = "the HTTPS listener must use the TLS 1.3/1.2 restricted policy"
  }
  assert {
    condition     = aws_lb_listener.https[0].default_action[0].type == "forward"
    error_message = "the HTTPS listener forwards to the app"
  }
  assert {
    condition = (aws_lb_listener.redirect[0].protocol == "HTTP" && aws_lb_listener.redirect[0].default_action[0].type == "redirect" &&
    aws_lb_listener.redirect[0].default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.redirect[0].default_action[0].redirect[0].status_code == "HTTP_301")
    error_message = "port 80 must only redirect to HTTPS (301)"
  }
  assert {
    condition     = length(aws_lb_listener.from_cloudfront) == 0 && length(aws_cloudfront_distribution.app) == 0
    error_message = "with a domain, no plain HTTP listener forwards and there is no CloudFront"
  }
  assert {
    condition     = aws_lb.app.internal == false && aws_lb.app.drop_invalid_header_fields == true
    error_message = "the ALB faces the internet and drops invalid headers"
  }

  # Security groups: the world reaches only the ALB on 443 and 80; the
  # instances only from the ALB; Valkey only from the instances.
  assert {
    condition = (aws_vpc_security_group_ingress_rule.lb_https[0].from_port == 443 && aws_vpc_security_group_ingress_rule.lb_https[0].to_port == 443 &&
    aws_vpc_security_group_ingress_rule.lb_redirect[0].from_port == 80 && aws_vpc_security_group_ingress_rule.lb_redirect[0].to_port == 80)
    error_message = "the ALB is open on 443 and 80 only"
  }
  assert {
    condition = (aws_vpc_security_group_ingress_rule.app_from_lb.referenced_security_group_id == aws_security_group.lb.id &&
      aws_vpc_security_group_ingress_rule.app_from_lb.cidr_ipv4 == null && aws_vpc_security_group_ingress_rule.app_from_lb.from_port == 3000 &&
    aws_vpc_security_group_ingress_rule.app_from_lb.to_port == 3000)
    error_message = "the instances accept the app port from the ALB's security group only"
  }
  assert {
    condition = (aws_vpc_security_group_ingress_rule.valkey_from_app.referenced_security_group_id == aws_security_group.app.id &&
    aws_vpc_security_group_ingress_rule.valkey_from_app.cidr_ipv4 == null)
    error_message = "Valkey accepts the app's security group only"
  }

  # The app's settings: https base URL, trusted proxies = the ALB's (public) subnets.
  assert {
    condition     = local.base_url == "https://img.example.com"
    error_message = "IMAGEAPP_BASE_URL must be https://<domain>"
  }
  assert {
    condition     = local.lb_subnet_cidrs == ["10.40.0.0/20", "10.40.16.0/20"]
    error_message = "IMAGEAPP_TRUSTED_PROXIES must be the ALB's subnets (the public ones)"
  }
  assert {
    condition     = aws_route53_record.site[0].type == "A" && aws_route53_record.site[0].zone_id == "Z0123456789ABCDEFGHIJ" && aws_route53_record.site[0].name == "img.example.com"
    error_message = "the domain points at the ALB"
  }
}

# --- without a domain: CloudFront ---------------------------------------------

run "with_cloudfront" {
  command = plan

  assert {
    condition     = aws_cloudfront_distribution.app[0].default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "CloudFront must redirect HTTP to HTTPS"
  }
  assert {
    condition     = aws_cloudfront_distribution.app[0].viewer_certificate[0].cloudfront_default_certificate == true
    error_message = "without a domain, CloudFront's default certificate"
  }
  assert {
    condition = (try(aws_cloudfront_distribution.app[0].logging_config[0].bucket, "none") == "imageapp-cdn-logs-test.s3.amazonaws.com" &&
    try(aws_cloudfront_distribution.app[0].logging_config[0].include_cookies, true) == false)
    error_message = "CloudFront writes standard logs to its log bucket, without cookies"
  }
  assert {
    condition = (aws_s3_bucket_ownership_controls.logs["cdn"].rule[0].object_ownership == "BucketOwnerPreferred" &&
      anytrue([for g in aws_s3_bucket_acl.cdn_logs.access_control_policy[0].grant : g.permission == "FULL_CONTROL" &&
    g.grantee[0].type == "CanonicalUser" && g.grantee[0].id == "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"]))
    error_message = "the CloudFront log bucket has ACLs enabled and grants the awslogsdelivery account FULL_CONTROL"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.logs["cdn"].rule : r.expiration[0].days if r.id == "expire-logs"]) == 90
    error_message = "CloudFront's access logs expire"
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.logs["cdn"].block_public_acls && aws_s3_bucket_public_access_block.logs["cdn"].ignore_public_acls && aws_s3_bucket_public_access_block.logs["cdn"].restrict_public_buckets
    error_message = "the CloudFront log bucket is not public"
  }
  assert {
    condition     = aws_lb.app.internal == true && length(aws_lb_listener.https) == 0 && length(aws_lb_listener.redirect) == 0
    error_message = "without a domain the ALB is internal, behind CloudFront"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.lb_https) == 0 && length(aws_vpc_security_group_ingress_rule.lb_redirect) == 0
    error_message = "the internal ALB has no ingress from the internet"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.lb_from_cloudfront[0].cidr_ipv4 == null && aws_vpc_security_group_ingress_rule.lb_from_cloudfront[0].from_port == 80
    error_message = "the internal ALB accepts CloudFront's VPC origin only"
  }
  assert {
    condition     = startswith(local.base_url, "https://") && local.lb_subnet_cidrs == ["10.40.32.0/20", "10.40.48.0/20"]
    error_message = "https base URL; trusted proxies = the internal ALB's (private) subnets"
  }

  # Two zones, several instances, arm64, IMDSv2, encrypted disks, no SSH.
  assert {
    condition     = aws_autoscaling_group.app.min_size >= 2 && aws_autoscaling_group.app.max_size >= 2 * aws_autoscaling_group.app.min_size && aws_autoscaling_group.app.health_check_type == "ELB"
    error_message = "the group keeps at least 2 instances over both private subnets, judged by the ALB's health checks"
  }
  assert {
    condition     = aws_lb_target_group.app.health_check[0].path == "/readyz" && aws_lb_target_group.app.port == 3000
    error_message = "by default the ALB checks the app's readiness, /readyz, on port 3000"
  }
  assert {
    condition     = length(distinct(aws_subnet.private[*].availability_zone)) == 2 && length(distinct(aws_subnet.public[*].availability_zone)) == 2
    error_message = "public and private subnets in two zones"
  }
  assert {
    condition     = alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "private subnets give no public addresses"
  }
  assert {
    condition = (aws_launch_template.app.metadata_options[0].http_tokens == "required" && aws_launch_template.app.key_name == null &&
    aws_launch_template.app.block_device_mappings[0].ebs[0].encrypted == "true" && startswith(aws_launch_template.app.instance_type, "t4g."))
    error_message = "instances: IMDSv2 only, no SSH key, encrypted root volume, arm64"
  }
  assert {
    condition     = aws_elasticache_replication_group.shared.transit_encryption_enabled == true && aws_elasticache_replication_group.shared.engine == "valkey" && aws_elasticache_replication_group.shared.multi_az_enabled == true
    error_message = "Valkey: TLS in transit, two zones"
  }
  assert {
    condition     = aws_elasticache_replication_group.shared.preferred_cache_cluster_azs == tolist(["eu-central-1a", "eu-central-1b"]) && aws_elasticache_replication_group.shared.num_cache_clusters == 2
    error_message = "Valkey: a node in each of the two zones"
  }
  assert {
    condition     = aws_ecr_repository.app.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.app.image_scanning_configuration[0].scan_on_push
    error_message = "images by immutable tag, scanned on push"
  }
  assert {
    condition     = aws_cognito_user_pool.users.email_configuration[0].email_sending_account == "DEVELOPER" && aws_cognito_user_pool.users.email_configuration[0].source_arn == "arn:aws:ses:eu-central-1:123456789012:identity/example.com"
    error_message = "Cognito sends through the SES identity"
  }

  # IAM, on the statements as Terraform renders them (every document the
  # roles and the deploy policy are made of; the merged JSON itself is only
  # known once the resources it names exist).
  assert {
    condition = alltrue(flatten([for d in [data.aws_iam_policy_document.app, data.aws_iam_policy_document.instance, data.aws_iam_policy_document.lambda,
      data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.kms_provision, data.aws_iam_policy_document.kms_use,
      data.aws_iam_policy_document.kms_app_key, data.aws_iam_policy_document.sns_provision, data.aws_iam_policy_document.sns_publish,
      data.aws_iam_policy_document.ses_send] :
    [for st in d.statement : [for a in st.actions : !strcontains(a, "*")] if st.effect == "Allow"]]))
    error_message = "no policy grants a wildcard action"
  }
  assert {
    condition = alltrue(flatten([for d in [data.aws_iam_policy_document.app, data.aws_iam_policy_document.instance, data.aws_iam_policy_document.lambda,
      data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.kms_provision, data.aws_iam_policy_document.kms_use,
      data.aws_iam_policy_document.kms_app_key, data.aws_iam_policy_document.sns_provision, data.aws_iam_policy_document.sns_publish,
      data.aws_iam_policy_document.ses_send] :
      [for st in d.statement : !contains(st.resources, "*") || (
        length(setsubtract(st.actions, ["kms:CreateKey", "ecr:GetAuthorizationToken", "autoscaling:DescribeInstanceRefreshes",
        "ec2:DescribeLaunchTemplateVersions", "ec2:RunInstances", "ec2:CreateTags", "ses:GetSuppressedDestination"])) == 0 &&
    length(st.condition) > 0) if st.effect == "Allow"]]))
    error_message = "resource * only for the actions AWS cannot scope, and only with conditions"
  }
  # Keys: the default key_mode is the hierarchy, which creates no KMS key.
  assert {
    condition     = output.IMAGEAPP_KEY_MODE == "hierarchy" && aws_lambda_function.post_confirmation.environment[0].variables["IMAGEAPP_KEY_MODE"] == "hierarchy" && aws_lambda_function.post_confirmation.environment[0].variables["IMAGEAPP_ROOT_KEY_ID"] == "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-0000000000aa"
    error_message = "the default key mode is the hierarchy under the root key, for the app and the trigger"
  }
  assert {
    condition = length(aws_iam_role_policy.app_per_user_kms) == 0 && length(aws_iam_role_policy.lambda_per_user_kms) == 0 && !anytrue(flatten([for d in [data.aws_iam_policy_document.app, data.aws_iam_policy_document.lambda,
      data.aws_iam_policy_document.user_keys_provision, data.aws_iam_policy_document.user_keys_use] :
    [for st in d.statement : contains(st.actions, "kms:CreateKey") || contains(st.actions, "kms:CreateAlias") || contains(st.actions, "kms:ScheduleKeyDeletion")]]))
    error_message = "in the key hierarchy neither role may create, alias or delete KMS keys"
  }
  assert {
    condition = alltrue([for st in concat(data.aws_iam_policy_document.user_keys_provision.statement, data.aws_iam_policy_document.user_keys_use.statement) :
      anytrue([for a in st.actions : startswith(a, "kms:")]) ? (st.resources == toset(["arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-0000000000aa"]) &&
        anytrue([for c in st.condition : c.test == "StringEquals" && c.variable == "kms:EncryptionContext:purpose" && toset(c.values) == toset(["user-key"])]) &&
      anytrue([for c in st.condition : c.test == "StringEquals" && c.variable == "kms:EncryptionContext:app" && toset(c.values) == toset(["imageapp"])])) :
    anytrue([for c in st.condition : c.test == "ForAllValues:StringLike" && c.variable == "dynamodb:LeadingKeys" && toset(c.values) == toset(["#user-key#*"])])])
    error_message = "user keys: the root key only under the context {app, purpose = user-key}; the users table only on user keys' items"
  }
  assert {
    condition = !anytrue(flatten([for st in data.aws_iam_policy_document.app.statement :
      [for a in st.actions : contains(["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:Scan", "dynamodb:DeleteItem"], a) &&
    contains(st.resources, "arn:aws:dynamodb:eu-central-1:123456789012:table/imageapp-users")]]))
    error_message = "the app may not batch-read, condition-check, scan or delete on the users table"
  }
  assert {
    condition = alltrue([for st in data.aws_iam_policy_document.app.statement : !contains(st.actions, "dynamodb:PutItem") ||
      !contains(st.resources, "arn:aws:dynamodb:eu-central-1:123456789012:table/imageapp-users") ||
    anytrue([for c in st.condition : c.test == "ForAllValues:StringEquals" && c.variable == "dynamodb:LeadingKeys" && toset(c.values) == toset(["#cookie-keys"])])])
    error_message = "PutItem on the users table only for the cookie key ring's item"
  }
  assert {
    condition = anytrue([for st in data.aws_iam_policy_document.app.statement : contains(st.actions, "s3:ListBucket") &&
    st.resources == toset(["arn:aws:s3:::imageapp-blobs-test"]) && length(st.condition) == 0])
    error_message = "s3:ListBucket on the bucket without a prefix condition, so a missing blob is 404"
  }
  assert {
    condition = toset(flatten([for d in [data.aws_iam_policy_document.app, data.aws_iam_policy_document.instance] :
      [for st in d.statement : [for a in st.actions : "${a} ${join(",", tolist(st.resources))}" if startswith(a, "cognito-idp:")]]])) == toset([
      "cognito-idp:AdminGetUser arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_Test",
    "cognito-idp:AdminDeleteUser arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_Test"])
    error_message = "the app's only cognito-idp actions are AdminGetUser and AdminDeleteUser on its own pool (expired sign-ups); the rest are public APIs"
  }
  assert {
    condition = anytrue([for st in data.aws_iam_policy_document.kms_provision.statement : contains(st.actions, "kms:DescribeKey") &&
    anytrue([for c in st.condition : c.test == "StringLike" && c.variable == "kms:RequestAlias" && toset(c.values) == toset(["alias/imageapp/user/*"])])])
    error_message = "DescribeKey only through the app's user aliases"
  }
  assert {
    condition = alltrue([for st in concat(data.aws_iam_policy_document.kms_use.statement, data.aws_iam_policy_document.kms_app_key.statement) :
      st.effect == "Deny" || toset(st.actions) == toset(["kms:DescribeKey"]) || anytrue([for c in st.condition : c.test == "StringEquals" && c.variable == "kms:EncryptionContext:app" && toset(c.values) == toset(["imageapp"])])
    ])
    error_message = "every data-key use is bound to the app's encryption context (DescribeKey, for readiness, uses no key)"
  }
  assert {
    condition = alltrue([for st in data.aws_iam_policy_document.instance.statement : st.effect == "Allow" && (
      contains(st.actions, "ecr:GetAuthorizationToken") || alltrue([for r in st.resources : startswith(r, "arn:aws:ssm:eu-central-1:123456789012:parameter/imageapp/") ||
    startswith(r, "arn:aws:ecr:eu-central-1:123456789012:repository/imageapp") || startswith(r, "arn:aws:logs:eu-central-1:123456789012:log-group:/imageapp/app:")]))])
    error_message = "the instance's own permissions name only its parameters, its repository and its log group"
  }
  assert {
    condition = anytrue([for st in data.aws_iam_policy_document.blobs_bucket.statement : st.effect == "Deny" && contains(st.actions, "s3:*") &&
    anytrue([for c in st.condition : c.test == "Bool" && c.variable == "aws:SecureTransport" && toset(c.values) == toset(["false"])])])
    error_message = "the bucket refuses plain HTTP"
  }
}

# --- before the first image ---------------------------------------------------

run "before_the_first_image" {
  command = plan

  variables {
    image_tag = ""
  }

  assert {
    condition     = aws_autoscaling_group.app.min_size == 0 && aws_ssm_parameter.image_tag.value == "none"
    error_message = "without an image the group runs nothing and the tag parameter says none"
  }
}

# --- rollouts that cannot hurt everyone -----------------------------------------

run "rollouts" {
  command = plan

  variables {
    health_check_path = "/readyz"
  }

  assert {
    condition     = aws_lb_target_group.app.health_check[0].path == "/readyz"
    error_message = "health_check_path switches the ALB's check to /readyz"
  }
  assert {
    condition     = aws_autoscaling_group.app.instance_refresh[0].preferences[0].checkpoint_percentages == tolist([10, 50, 100]) && aws_autoscaling_group.app.instance_refresh[0].preferences[0].checkpoint_delay == "300"
    error_message = "an instance refresh pauses at 10 % and 50 % (and 100 %), 5 minutes each"
  }
  assert {
    condition     = aws_autoscaling_group.app.instance_refresh[0].preferences[0].auto_rollback == true && aws_autoscaling_group.app.instance_refresh[0].preferences[0].min_healthy_percentage == 100
    error_message = "an instance refresh rolls back by itself and never drops below full capacity"
  }
  assert {
    condition = toset(aws_autoscaling_group.app.instance_refresh[0].preferences[0].alarm_specification[0].alarms) == toset(["imageapp-rollout-5xx", "imageapp-rollout-unhealthy-hosts"]) && (
    aws_cloudwatch_metric_alarm.rollout_5xx.alarm_name == "imageapp-rollout-5xx" && aws_cloudwatch_metric_alarm.rollout_unhealthy_hosts.metric_name == "UnHealthyHostCount")
    error_message = "an instance refresh watches the 5xx and unhealthy-host alarms"
  }
  assert {
    condition     = jsondecode(output.rollout_preferences_json).AutoRollback == true && jsondecode(output.rollout_preferences_json).CheckpointPercentages == [10, 50, 100] && length(jsondecode(output.rollout_preferences_json).AlarmSpecification.Alarms) == 2
    error_message = "Jenkins gets the same checkpoints, alarms and auto-rollback"
  }
  assert {
    condition     = aws_launch_template.app.image_id == "ami-0123456789abcdef0" && data.aws_ami.ubuntu.most_recent != true && one([for f in data.aws_ami.ubuntu.filter : f.values if f.name == "image-id"]) == toset(["ami-0123456789abcdef0"])
    error_message = "the AMI is pinned by var.ami_id, never the most recent"
  }
  assert {
    condition     = one([for t in aws_launch_template.app.tag_specifications : t.tags["image-tag"] if t.resource_type == "instance"]) == "0123456789abcdef0123456789abcdef01234567" && aws_launch_template.app.metadata_options[0].instance_metadata_tags == "enabled"
    error_message = "the launch template version carries the image tag (an instance tag the boot script reads through IMDS), so a rollback covers it"
  }
  assert {
    condition = toset(flatten([for st in data.aws_iam_policy_document.deploy.statement :
      [for a in st.actions : "${a} ${join(",", tolist(st.resources))}" if startswith(a, "cognito-idp:")]])) == toset([
    "cognito-idp:AdminConfirmSignUp arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_Test"])
    error_message = "Jenkins may only confirm the smoke test's synthetic user on the app's own pool (no other Cognito action)"
  }
}

# --- observability ------------------------------------------------------------------

run "observability" {
  command = plan

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition = (anytrue([for q in aws_cloudwatch_metric_alarm.rollout_5xx.metric_query : try(q.metric[0].metric_name, "") == "HTTPCode_Target_5XX_Count"]) &&
    anytrue([for q in aws_cloudwatch_metric_alarm.rollout_5xx.metric_query : try(q.metric[0].metric_name, "") == "HTTPCode_ELB_5XX_Count"]))
    error_message = "an alarm on the ALB's and the targets' 5xx"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.p99_latency.extended_statistic == "p99" && aws_cloudwatch_metric_alarm.p99_latency.metric_name == "TargetResponseTime"
    error_message = "an alarm on p99 latency"
  }
  assert {
    condition = (length(aws_cloudwatch_metric_alarm.dynamodb_throttles) == 13 && contains(keys(aws_cloudwatch_metric_alarm.dynamodb_throttles), "imageapp-messages/expiry-index") &&
    contains(keys(aws_cloudwatch_metric_alarm.dynamodb_throttles), "imageapp-users/directory-index") && contains(keys(aws_cloudwatch_metric_alarm.dynamodb_throttles), "imageapp-users"))
    error_message = "a throttle alarm on each table and each GSI (2 tables + 11 indexes)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.lambda_errors.metric_name == "Errors" && aws_cloudwatch_metric_alarm.lambda_errors.namespace == "AWS/Lambda"
    error_message = "an alarm on the trigger's errors"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.ses_bounces.metric_name == "Reputation.BounceRate" && aws_cloudwatch_metric_alarm.ses_complaints.metric_name == "Reputation.ComplaintRate"
    error_message = "alarms on SES bounces and complaints"
  }
  assert {
    condition     = strcontains(one(aws_cloudwatch_metric_alarm.sns_delivery_failures.metric_query).expression, "NumberOfNotificationsFailed")
    error_message = "an alarm on SNS delivery failures"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.valkey_memory) == 2 && alltrue([for a in aws_cloudwatch_metric_alarm.valkey_memory : a.metric_name == "DatabaseMemoryUsagePercentage"])
    error_message = "a memory alarm on each Valkey node"
  }
  assert {
    condition     = anytrue([for q in aws_cloudwatch_metric_alarm.kms_throttling.metric_query : strcontains(try(q.expression, ""), "SERVICE_QUOTA")])
    error_message = "an alarm on KMS requests against the account's quota"
  }
  assert {
    condition     = aws_sns_topic_subscription.alarm_email[0].endpoint == "ops@example.com" && aws_budgets_budget.monthly.limit_amount == "250" && aws_budgets_budget.monthly.time_unit == "MONTHLY"
    error_message = "alarms and the budget mail the operator"
  }
  assert {
    condition     = aws_cloudwatch_dashboard.main.dashboard_name == "imageapp" && aws_cloudwatch_log_metric_filter.app_errors.pattern == "{ $.level = \"ERROR\" }"
    error_message = "a dashboard, and ERROR lines of the app's JSON logs counted"
  }
  assert {
    condition     = aws_lb.app.access_logs[0].enabled == true && aws_lb.app.access_logs[0].bucket == "imageapp-lb-logs-test"
    error_message = "the ALB writes access logs to the log bucket"
  }
  assert {
    condition = (anytrue([for st in data.aws_iam_policy_document.lb_log_delivery.statement : st.effect == "Allow" && contains(st.actions, "s3:PutObject") &&
      anytrue([for p in st.principals : p.type == "Service" && contains(p.identifiers, "logdelivery.elasticloadbalancing.amazonaws.com")])]) &&
      anytrue([for st in data.aws_iam_policy_document.lb_log_delivery.statement : st.effect == "Allow" && contains(st.actions, "s3:PutObject") &&
    anytrue([for p in st.principals : p.type == "AWS" && contains(p.identifiers, "arn:aws:iam::054676820928:root")])]))
    error_message = "the log bucket admits the ELB account of the region and the log-delivery service principal"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.logs["lb"].rule : r.expiration[0].days if r.id == "expire-logs"]) == 90
    error_message = "access logs expire"
  }
  assert {
    condition = alltrue([for k in ["lb", "cdn"] :
      aws_s3_bucket_public_access_block.logs[k].block_public_acls && aws_s3_bucket_public_access_block.logs[k].block_public_policy &&
      aws_s3_bucket_public_access_block.logs[k].ignore_public_acls && aws_s3_bucket_public_access_block.logs[k].restrict_public_buckets &&
      one(aws_s3_bucket_server_side_encryption_configuration.logs[k].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256" &&
      one([for r in aws_s3_bucket_lifecycle_configuration.logs[k].rule : r.abort_incomplete_multipart_upload[0].days_after_initiation if r.id == "abort-incomplete-uploads"]) == 1 &&
    one([for r in aws_s3_bucket_lifecycle_configuration.logs[k].rule : r.expiration[0].days if r.id == "expire-logs"]) == 90])
    error_message = "both log buckets block public access, encrypt (SSE-S3), abort incomplete uploads and expire their logs"
  }
  assert {
    condition = alltrue([for k in ["lb", "cdn"] : anytrue([for st in data.aws_iam_policy_document.logs_bucket[k].statement :
      st.effect == "Deny" && contains(st.actions, "s3:*") && anytrue([for c in st.condition : c.test == "Bool" && c.variable == "aws:SecureTransport" && toset(c.values) == toset(["false"])]) &&
      contains(st.resources, aws_s3_bucket.logs[k].arn) && contains(st.resources, "${aws_s3_bucket.logs[k].arn}/*")]) &&
    aws_s3_bucket_policy.logs[k].bucket == aws_s3_bucket.logs[k].id])
    error_message = "both log buckets' policies deny requests without TLS, on the bucket and its objects"
  }
  assert {
    condition = (aws_s3_bucket_ownership_controls.logs["lb"].rule[0].object_ownership == "BucketOwnerEnforced" &&
      length(data.aws_iam_policy_document.logs_bucket["lb"].source_policy_documents) == 1 &&
    length(data.aws_iam_policy_document.logs_bucket["cdn"].source_policy_documents) == 0)
    error_message = "the ALB's log bucket keeps ACLs disabled and its policy takes the ELB writers; CloudFront's (which writes through the ACL) takes none"
  }
}

# --- hardening -----------------------------------------------------------------------

run "hardening" {
  command = plan

  variables {
    domain                    = "img.example.com"
    cognito_threat_protection = "ENFORCED"
  }

  assert {
    condition     = aws_elasticache_replication_group.shared.user_group_ids == toset(["imageapp-shared"]) && aws_elasticache_user_group.app.user_ids == toset(["imageapp-default-off", "imageapp-app"])
    error_message = "Valkey requires AUTH: the replication group uses the user group"
  }
  assert {
    condition     = aws_elasticache_user.app.authentication_mode[0].type == "password" && startswith(aws_elasticache_user.default_off.access_string, "off ") && aws_elasticache_user.default_off.user_name == "default"
    error_message = "the app's Valkey user has a password; the default user is off"
  }
  assert {
    condition     = aws_ssm_parameter.valkey_password.type == "SecureString" && local.valkey_user == "imageapp-app" && aws_elasticache_user.app.user_name == local.valkey_user
    error_message = "the Valkey password is a SecureString the instance reads at boot (the URL in user data names the user only: .ci/infra)"
  }
  assert {
    condition     = aws_wafv2_web_acl.app[0].scope == "REGIONAL" && length(aws_wafv2_web_acl_association.app) == 1
    error_message = "a WAF web ACL guards the ALB"
  }
  assert {
    condition = length([for r in aws_wafv2_web_acl.app[0].rule : r if r.name == "rate-account-routes"]) == 1 && alltrue([for r in aws_wafv2_web_acl.app[0].rule : (
      r.statement[0].rate_based_statement[0].limit == 100 && r.statement[0].rate_based_statement[0].aggregate_key_type == "IP" && length(r.action[0].block) == 1 &&
      toset([for s in r.statement[0].rate_based_statement[0].scope_down_statement[0].or_statement[0].statement : s.byte_match_statement[0].search_string]) ==
    toset(["/signup", "/login", "/verify", "/forgot", "/api/signup", "/api/login", "/api/verify", "/api/forgot"])) if r.name == "rate-account-routes"])
    error_message = "a rate-based rule blocks one address's floods of /signup, /login, /verify, /forgot and the /api/ twins"
  }
  assert {
    condition     = length([for r in aws_wafv2_web_acl.app[0].rule : r if length(r.statement[0].managed_rule_group_statement) > 0]) == 3
    error_message = "three AWS managed rule groups"
  }
  assert {
    condition     = aws_cognito_user_pool.users.user_pool_add_ons[0].advanced_security_mode == "ENFORCED" && aws_cognito_user_pool.users.user_pool_tier == "PLUS"
    error_message = "Cognito threat protection on request"
  }
  assert {
    condition     = aws_cognito_user_pool_client.web.enable_propagate_additional_user_context_data == true && aws_cognito_user_pool_client.web.generate_secret == true
    error_message = "the app client takes the client's address the app sends (UserContextData), which needs its secret"
  }
  assert {
    condition = (alltrue([for st in data.aws_iam_policy_document.app_key_policy.statement : !(contains(st.actions, "kms:Decrypt") || contains(st.actions, "kms:Encrypt")) ||
      alltrue([for p in st.principals : p.identifiers == toset(["arn:aws:iam::123456789012:role/imageapp-app"])])]) &&
      anytrue([for st in data.aws_iam_policy_document.app_key_policy.statement : contains(st.actions, "kms:PutKeyPolicy") &&
    alltrue([for p in st.principals : p.identifiers == toset(["arn:aws:iam::123456789012:root"])])]))
    error_message = "the app key's policy: administrators manage, only the app role encrypts and decrypts"
  }
  assert {
    condition     = one([for g in aws_dynamodb_table.messages.global_secondary_index : g.projection_type if g.name == "expiry-index"]) == "KEYS_ONLY" && one([for g in aws_dynamodb_table.messages.global_secondary_index : g.projection_type if g.name == "pending-index"]) == "KEYS_ONLY"
    error_message = "the sweep indexes project keys only"
  }
  assert {
    condition = (one([for g in aws_dynamodb_table.users.global_secondary_index : g.projection_type if g.name == "user_id-index"]) == "KEYS_ONLY" &&
    one([for g in aws_dynamodb_table.messages.global_secondary_index : g.projection_type if g.name == "request-index"]) == "ALL")
    error_message = "user_id-index projects keys only (UserByID reads the username, then the item); request-index serves the requests box (ALL)"
  }
}

run "waf_off" {
  command = plan

  variables {
    waf_enabled = false
  }

  assert {
    condition     = length(aws_wafv2_web_acl.app) == 0 && length(aws_wafv2_web_acl_association.app) == 0 && length(aws_cognito_user_pool.users.user_pool_add_ons) == 0
    error_message = "waf_enabled = false removes the web ACL; threat protection is off by default"
  }
}

run "per_user_kms" {
  command = plan

  variables {
    key_mode = "per-user-kms"
  }

  assert {
    condition     = length(aws_iam_role_policy.app_per_user_kms) == 1 && length(aws_iam_role_policy.lambda_per_user_kms) == 1 && aws_lambda_function.post_confirmation.environment[0].variables["IMAGEAPP_KEY_MODE"] == "per-user-kms"
    error_message = "key_mode = per-user-kms grants the app and the trigger the per-user key statements and tells both the mode"
  }
}

# --- mail modes ------------------------------------------------------------------

# The default: a topic per user. Both roles may make and use topics; no SES
# resource exists and the app is told sns.
run "mail_sns_by_default" {
  command = plan

  assert {
    condition     = output.IMAGEAPP_MAIL == "sns" && aws_lambda_function.post_confirmation.environment[0].variables["IMAGEAPP_MAIL"] == "sns" && local.mail_env == "IMAGEAPP_MAIL=sns"
    error_message = "the default mail mode is sns, for the app and the trigger"
  }
  assert {
    condition     = length(aws_iam_role_policy.app_sns) == 1 && length(aws_iam_role_policy.lambda_sns) == 1 && length(aws_iam_role_policy.app_ses) == 0
    error_message = "sns mode grants the per-user topic statements to the app and the trigger, and no SES"
  }
  assert {
    condition     = length(aws_sesv2_email_identity.mail) == 0 && length(aws_sesv2_configuration_set.mail) == 0 && length(aws_cloudwatch_metric_alarm.ses_mail_rates) == 0
    error_message = "sns mode makes no SES identity, configuration set or mail alarms, and sets no SES variables"
  }
}

# ses: SendEmail from no-reply@<ses_domain> through the configuration set;
# no role may make or use per-user topics.
run "mail_ses" {
  command = plan

  variables {
    mail_mode  = "ses"
    ses_domain = "mail.example.com"
  }

  assert {
    condition     = aws_sesv2_email_identity.mail[0].email_identity == "mail.example.com" && aws_sesv2_email_identity.mail[0].dkim_signing_attributes[0].next_signing_key_length == "RSA_2048_BIT" && aws_sesv2_email_identity.mail[0].configuration_set_name == "imageapp-mail"
    error_message = "ses mode verifies ses_domain with Easy DKIM, its mail through the configuration set"
  }
  assert {
    condition = (aws_sesv2_configuration_set.mail[0].delivery_options[0].tls_policy == "REQUIRE" &&
      toset(aws_sesv2_configuration_set.mail[0].suppression_options[0].suppressed_reasons) == toset(["BOUNCE", "COMPLAINT"]) &&
      toset(aws_sesv2_configuration_set_event_destination.mail_feedback[0].event_destination[0].matching_event_types) == toset(["SEND", "BOUNCE", "COMPLAINT", "REJECT"]) &&
    length(aws_sesv2_configuration_set_event_destination.mail_feedback[0].event_destination[0].cloud_watch_destination) == 1)
    error_message = "the configuration set requires TLS, suppresses bounces and complaints, and counts sends, bounces and complaints in CloudWatch"
  }
  assert {
    condition = (toset(keys(aws_cloudwatch_metric_alarm.ses_mail_rates)) == toset(["bounce", "complaint"]) &&
      aws_cloudwatch_metric_alarm.ses_mail_rates["bounce"].threshold == 0.04 && aws_cloudwatch_metric_alarm.ses_mail_rates["complaint"].threshold == 0.0008 &&
    alltrue([for a in aws_cloudwatch_metric_alarm.ses_mail_rates : anytrue([for q in a.metric_query : try(q.metric[0].dimensions["configuration-set"], "") == "imageapp-mail"])]))
    error_message = "bounce and complaint rate alarms on the configuration set's own events, at the account review thresholds' margins"
  }
  assert {
    condition     = output.IMAGEAPP_MAIL == "ses" && output.IMAGEAPP_SES_FROM == "no-reply@mail.example.com" && aws_lambda_function.post_confirmation.environment[0].variables["IMAGEAPP_MAIL"] == "ses"
    error_message = "the app and the trigger are told ses; the From address is within ses_domain"
  }
  assert {
    condition     = local.mail_env == "IMAGEAPP_MAIL=ses\nIMAGEAPP_SES_FROM=no-reply@mail.example.com\nIMAGEAPP_SES_CONFIGURATION_SET=imageapp-mail"
    error_message = "the instances' environment (local.mail_env, in local.app_env) names the mail mode, the From address and the configuration set"
  }
  assert {
    condition     = length(aws_iam_role_policy.app_sns) == 0 && length(aws_iam_role_policy.lambda_sns) == 0 && length(aws_iam_role_policy.app_ses) == 1
    error_message = "ses mode grants no per-user topic statements to either role, and SES to the app only"
  }
  assert {
    condition = !anytrue(flatten([for d in [data.aws_iam_policy_document.app, data.aws_iam_policy_document.lambda] :
    [for st in d.statement : [for a in st.actions : startswith(a, "sns:") || startswith(a, "ses:")]]]))
    error_message = "the roles' base policies carry neither SNS topic nor SES statements (they come by mode)"
  }
  assert {
    condition = one([for st in data.aws_iam_policy_document.ses_send.statement : st if contains(st.actions, "ses:SendEmail")]).resources == toset([
      "arn:aws:ses:eu-central-1:123456789012:identity/mail.example.com", "arn:aws:ses:eu-central-1:123456789012:configuration-set/imageapp-mail"]) && anytrue([
      for c in one([for st in data.aws_iam_policy_document.ses_send.statement : st if contains(st.actions, "ses:SendEmail")]).condition :
    c.test == "StringEquals" && c.variable == "ses:FromAddress" && toset(c.values) == toset(["no-reply@mail.example.com"])])
    error_message = "SendEmail only through the identity and the configuration set, only from the From address"
  }
}

run "mail_ses_needs_a_domain" {
  command = plan

  variables {
    mail_mode = "ses"
  }

  expect_failures = [aws_sesv2_configuration_set.mail]
}
