# The moved blocks of monitoring.tf: a deployment whose log buckets are still
# at their old addresses (aws_s3_bucket.lb_logs, .cdn_logs, and each setting
# of theirs) plans them at the new ones with the IDs they have, so nothing is
# destroyed and made again (a bucket made again would lose its logs). A
# resource without a moved block would be planned as new: its ID unknown,
# which fails the comparison.
#
# Not in tests/ itself: the runs share one state (state_key), which needs
# Terraform 1.11, and `terraform test` in terraform/ must run on 1.7.
# .ci/infra/check.sh runs it where it can:
#   terraform init -backend=false -test-directory=tests/moved
#   terraform test -test-directory=tests/moved
# Offline, without credentials: a mock provider stands for AWS in both runs;
# its data sources answer just enough for the whole configuration to plan
# (two zones, policy documents that merge, ARNs that validate, the arm64 AMI).

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
      zone_ids = ["euc1-az2", "euc1-az3", "euc1-az1"]
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_ami" {
    defaults = { architecture = "arm64", root_device_name = "/dev/sda1" }
  }
}

variables {
  ami_id       = "ami-0123456789abcdef0"
  ses_identity = "example.com"
  image_tag    = "0123456789abcdef0123456789abcdef01234567"
  lambda_zip   = "tests/lambda-stub.zip"
}

run "deployed_before" {
  state_key = "deployment"

  module {
    source = "./tests/moved/before_log_buckets"
  }
}

run "log_buckets_move" {
  state_key = "deployment"
  command   = plan

  plan_options {
    refresh = false # the state is the deployment: nothing to read back
  }

  assert {
    condition = (aws_s3_bucket.logs["lb"].id == run.deployed_before.ids.bucket.lb &&
    aws_s3_bucket.logs["cdn"].id == run.deployed_before.ids.bucket.cdn)
    error_message = "the log buckets keep their IDs: moved, not made again"
  }
  assert {
    condition = alltrue([for k in ["lb", "cdn"] :
      aws_s3_bucket_public_access_block.logs[k].id == run.deployed_before.ids.pab[k] &&
      aws_s3_bucket_ownership_controls.logs[k].id == run.deployed_before.ids.own[k] &&
      aws_s3_bucket_server_side_encryption_configuration.logs[k].id == run.deployed_before.ids.sse[k] &&
      aws_s3_bucket_lifecycle_configuration.logs[k].transition_default_minimum_object_size == run.deployed_before.ids.life[k] &&
    aws_s3_bucket_policy.logs[k].id == run.deployed_before.ids.policy[k]])
    error_message = "each log bucket's settings keep their IDs: moved, not made again"
  }
  assert {
    condition     = aws_s3_bucket_acl.cdn_logs.id == run.deployed_before.ids.acl
    error_message = "the CloudFront log bucket's ACL keeps its address and ID"
  }
}
