# ImageApp on AWS: HTTPS in front (an ALB with ACM, or CloudFront), an Auto
# Scaling group of arm64 instances over two zones running the image Jenkins
# pushed to ECR (by tag), ElastiCache for Valkey shared by the instances,
# Cognito (identity, mail through SES) with a Lambda post-confirmation
# trigger (provisioning), DynamoDB (directory + message metadata), S3
# (encrypted blobs), per-user KMS keys and SNS topics (created by the app at
# run time, scoped here). terraform/README.md has the commands, in order.
#
# The state holds the Cognito client secret (it is an attribute of the app
# client): keep state in an encrypted, access-controlled backend (for example
# S3 with SSE-KMS and a lock), never in the repository.

terraform {
  required_version = ">= 1.7" # terraform test with mock providers (tests/)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0" # 5.100 (the mirror .ci/infra checks with) and every 6.x
    }
  }
}

provider "aws" {
  region = var.region

  # "project", not "app": the tag "app" is what the IAM conditions on the
  # per-user KMS keys look for, so only those keys may carry it.
  default_tags {
    tags = {
      project    = var.app_name
      managed_by = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # ARN patterns of what the app creates at run time (provisioning), in this
  # account and region only. Names match app/aws/kmskeys and app/aws/snsnotifier:
  # alias/<app>/user/<user id> and topic <app>-user-<user id>.
  kms_keys_arn     = "arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"
  kms_aliases_arn  = "arn:${local.partition}:kms:${var.region}:${local.account_id}:alias/${var.app_name}/user/*"
  user_topics_arn  = "arn:${local.partition}:sns:${var.region}:${local.account_id}:${var.app_name}-user-*"
  blob_objects_arn = "${aws_s3_bucket.blobs.arn}/messages/*"

  # The smoke test's two synthetic accounts: one SecureString parameter an
  # operator creates (terraform/README.md); Terraform never holds its value.
  smoke_parameter      = "/${var.app_name}/smoke/accounts"
  smoke_parameters_arn = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter${local.smoke_parameter}"
}
