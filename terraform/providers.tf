# ImageApp on AWS: Cognito (identity), a Lambda post-confirmation trigger
# (provisioning), DynamoDB (directory + message metadata), S3 (encrypted
# blobs), per-user KMS keys and SNS topics (created by the app at run time,
# scoped here), and one EC2 instance running the container.
#
# Build the Lambda zip first (see lambda.tf), then:
#   cp terraform.tfvars.example terraform.tfvars   # set ssh_key, ur_ip, repo_url
#   terraform init && terraform apply
#
# The state holds the Cognito client secret (it is an attribute of the app
# client): keep state in an encrypted, access-controlled backend (for example
# S3 with SSE-KMS and a lock), never in the repository.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
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
}
