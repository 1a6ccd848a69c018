variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "eu-central-1"
}

variable "app_name" {
  description = "IMAGEAPP_APP_NAME: prefix of resource names, the app tag of per-user KMS keys, key aliases (alias/<app_name>/user/...) and topic names (<app_name>-user-...)."
  type        = string
  default     = "imageapp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.app_name))
    error_message = "app_name must be 2-24 characters of lowercase letters, digits and '-', starting with a letter (it becomes part of bucket names, aliases and topic names)."
  }
}

variable "key_mode" {
  description = "IMAGEAPP_KEY_MODE: how users' keys are kept. hierarchy (default): the root KMS key (aws_kms_key.root) wraps one user key per user, kept in the users table; cost and KMS quotas do not grow with users. per-user-kms: a KMS key per user ($1/user/month; KMS's 100,000 keys per region count keys pending deletion), for a key policy and CloudTrail events per user. README, \"Key modes\"."
  type        = string
  default     = "hierarchy"

  validation {
    condition     = contains(["hierarchy", "per-user-kms"], var.key_mode)
    error_message = "key_mode must be hierarchy or per-user-kms."
  }
}

variable "domain" {
  description = "The site's name (img.example.com): an ALB with an ACM certificate for it answers HTTPS. Empty: CloudFront with its default *.cloudfront.net certificate in front of an internal ALB."
  type        = string
  default     = ""

  validation {
    condition     = var.domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lowercase DNS name such as img.example.com (no scheme, no path), or empty."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of var.domain: Terraform then writes the certificate's validation records and the site's alias. Empty: you create them in your DNS (outputs acm_validation_records and lb_dns_name)."
  type        = string
  default     = ""
}

variable "ses_identity" {
  description = "An Amazon SES identity verified in this account and region, a domain (example.com) or an address (no-reply@example.com): Cognito sends its codes through it (DEVELOPER sending)."
  type        = string

  validation {
    condition     = can(regex("^([^@\\s]+@)?([a-z0-9-]+\\.)+[a-z]{2,63}$", var.ses_identity))
    error_message = "ses_identity must be a verified SES domain (example.com) or email address (no-reply@example.com)."
  }
}

variable "mail_from" {
  description = "The From address of Cognito's mail, within ses_identity. Empty: the identity itself if it is an address, else no-reply@<identity>."
  type        = string
  default     = ""
}

variable "image_tag" {
  description = "The first image tag the instances run (a commit SHA Jenkins pushed). Empty until the first image exists: the group then runs no instance. Only the initial value of the launch template's image-tag and of the SSM record: Jenkins makes later versions (terraform/deploy/rollout.sh), and Terraform leaves them alone."
  type        = string
  default     = ""

  validation {
    condition     = var.image_tag == "" || (can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest" && var.image_tag != "none")
    error_message = "image_tag must be an image tag such as a commit SHA (not latest), or empty before the first image."
  }
}

variable "vpc_cidr" {
  description = "The VPC's address range (/16): four /20 subnets are cut from it, a public and a private one in each of two zones."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrsubnet(var.vpc_cidr, 4, 3)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be an IPv4 /16 such as 10.40.0.0/16."
  }
}

variable "instance_type" {
  description = "EC2 instance type of the app (arm64 Graviton: the AMI and the image are arm64). The instances only run the image; nothing is built on them."
  type        = string
  default     = "t4g.small"

  validation {
    condition     = can(regex("^[a-z0-9]+g[a-z]*\\.", var.instance_type))
    error_message = "instance_type must be a Graviton (arm64) type such as t4g.small or m7g.large."
  }
}

variable "min_instances" {
  description = "Fewest app instances (at least 2: one per zone)."
  type        = number
  default     = 2

  validation {
    condition     = var.min_instances >= 2
    error_message = "min_instances must be at least 2, so each zone has an instance."
  }
}

variable "max_instances" {
  description = "Most app instances (an instance refresh launches new ones before it stops old ones, up to twice the desired count)."
  type        = number
  default     = 4
}

variable "valkey_node_type" {
  description = "ElastiCache node type of the shared store (abuse limits, live events, leases): a primary and a replica in the two zones."
  type        = string
  default     = "cache.t4g.micro"
}

variable "image_keep_count" {
  description = "How many images the ECR repository keeps (the oldest expire): every one kept is a tag you can roll back to."
  type        = number
  default     = 30
}

variable "lambda_zip" {
  description = "The post-confirmation trigger's deployment package, built by lambda/build.sh (linux/arm64)."
  type        = string
  default     = "../lambda/dist/bootstrap.zip"
}

variable "log_retention_days" {
  description = "Retention of the Lambda's and the app's CloudWatch logs."
  type        = number
  default     = 30
}

variable "max_upload_bytes" {
  description = "IMAGEAPP_MAX_UPLOAD_BYTES: largest image accepted."
  type        = number
  default     = 20971520
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted blob stays recoverable (bucket versioning) before S3 expires it."
  type        = number
  default     = 7
}

variable "ami_id" {
  description = "The instances' AMI: Ubuntu 24.04 LTS arm64 (Canonical's), pinned by ID and bumped on purpose (a change rolls the fleet with the same checkpoints and rollback as a release). The current one: aws ssm get-parameter --name /aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id --query Parameter.Value --output text."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must be an AMI ID such as ami-0123456789abcdef0."
  }
}

variable "health_check_path" {
  description = "The path the ALB's target group checks: /readyz (the app checks its real dependencies: DynamoDB, KMS, S3, Valkey), or /healthz (the process is up) to take readiness out of the balancer's decision. Liveness stays the container's own healthcheck."
  type        = string
  default     = "/readyz"

  validation {
    condition     = contains(["/healthz", "/readyz"], var.health_check_path)
    error_message = "health_check_path must be /readyz or /healthz."
  }
}

variable "rollout_checkpoints" {
  description = "Percentages of the group an instance refresh replaces before it pauses (checkpoint_delay_seconds) and lets the alarms judge; the last is always 100."
  type        = list(number)
  default     = [10, 50, 100]

  validation {
    condition     = length(var.rollout_checkpoints) >= 2 && var.rollout_checkpoints[length(var.rollout_checkpoints) - 1] == 100 && alltrue([for p in var.rollout_checkpoints : p > 0 && p <= 100])
    error_message = "rollout_checkpoints must be at least two ascending percentages ending with 100."
  }
}

variable "checkpoint_delay_seconds" {
  description = "How long a refresh waits at each checkpoint, watching the rollout alarms, before it goes on."
  type        = number
  default     = 300
}

variable "alarm_email" {
  description = "An address that gets the alarms and budget mails (an SNS email subscription it must confirm). Empty: subscribe to the topic output alarm_topic_arn yourself."
  type        = string
  default     = ""
}

variable "monthly_budget_usd" {
  description = "The AWS Budget of the account's monthly cost, in USD: mails at 80 % of actual spend and at 100 % of the forecast."
  type        = number
  default     = 250
}

variable "alarm_5xx_per_minute" {
  description = "Server errors (the app's 5xx plus the ALB's own) per minute that count as a breach: two breaching minutes of three raise the alarm and roll back a refresh in flight."
  type        = number
  default     = 10
}

variable "alarm_p99_seconds" {
  description = "p99 target response time that counts as slow (live event streams are long requests: see terraform/README.md)."
  type        = number
  default     = 3
}

variable "lb_log_days" {
  description = "Days the access logs (the ALB's, and CloudFront's without a domain) are kept in their buckets."
  type        = number
  default     = 90
}

variable "app_log_format" {
  description = "IMAGEAPP_LOG_FORMAT: json makes the app write one JSON object per line (slog's JSON handler: time, level, msg, ...), which the metric filters and Logs Insights queries read; text is the app's default."
  type        = string
  default     = "json"

  validation {
    condition     = contains(["json", "text"], var.app_log_format)
    error_message = "app_log_format must be json or text."
  }
}

variable "waf_enabled" {
  description = "A WAF web ACL on the ALB: AWS managed rules and per-address rate limits on sign-up, login, verify and password reset. On by default: every fake sign-up costs (SES mail, a Cognito user, in per-user key mode a $1/month KMS key), and the app's own limits live in Valkey, behind the ALB."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes one address may make to the sign-up, login, verify and reset routes (page and /api/ twins) before the WAF blocks it."
  type        = number
  default     = 100

  validation {
    condition     = var.waf_rate_limit >= 10
    error_message = "waf_rate_limit must be at least 10 (WAF's minimum)."
  }
}

variable "cognito_threat_protection" {
  description = "Cognito threat protection (advanced security): OFF, AUDIT (records risk, blocks nothing) or ENFORCED. Anything but OFF moves the pool to the Plus tier, billed per monthly active user."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.cognito_threat_protection)
    error_message = "cognito_threat_protection must be OFF, AUDIT or ENFORCED."
  }
}

variable "kms_admin_arns" {
  description = "IAM roles or users that administer the app's KMS key (policy, rotation, deletion) but cannot use it. Empty: the account's IAM administrators (the account root principal, with those admin actions only)."
  type        = list(string)
  default     = []
}

variable "mail_mode" {
  description = "IMAGEAPP_MAIL: how notification mail goes. sns (default): an SNS topic per user with the address subscribed (the address confirms once; 100,000 topics per account and region cap the users). ses: SES SendEmail from no-reply@<ses_domain>, nothing per user (needs ses_domain, DKIM records and SES production access). README, \"Mail modes\"."
  type        = string
  default     = "sns"

  validation {
    condition     = contains(["sns", "ses"], var.mail_mode)
    error_message = "mail_mode must be sns or ses."
  }
}

variable "ses_domain" {
  description = "mail_mode = ses: the domain notification mail is sent from (no-reply@<ses_domain>). Terraform makes its SES identity with Easy DKIM; publish the records of output ses_dkim_records. If it is already an SES identity (ses_identity, say), import it: terraform import 'aws_sesv2_email_identity.mail[0]' <domain>."
  type        = string
  default     = ""

  validation {
    condition     = var.ses_domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.ses_domain))
    error_message = "ses_domain must be a lowercase DNS name such as mail.example.com, or empty."
  }
}
