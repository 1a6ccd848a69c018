# Per-user KMS keys are not Terraform resources: the app creates one symmetric
# key per user at provisioning (the Lambda trigger, or the app lazily at first
# login), tagged app = var.app_name and user_id, with the alias
# alias/<app_name>/user/<user id> (app/aws/kmskeys). Their key policy is the
# default one, which delegates to IAM; these documents are that IAM side.
#
# Why the tag conditions are safe: a key only becomes usable for data keys if
# it carries the tag app = var.app_name AND the request's encryption context
# has app = var.app_name. Even a key re-tagged by a compromised role can then
# only unwrap ciphertexts made with this app's context, i.e. this app's own.

# Provisioning: used by both the Lambda trigger and the app's role.
data "aws_iam_policy_document" "kms_provision" {
  # CreateKey acts on no existing resource, so AWS only accepts "*" here
  # (whitelisted in .ci/infra); the conditions pin what may be created.
  statement {
    sid       = "CreateUserKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/app"
      values   = [var.app_name]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["app", "user_id"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:KeySpec"
      values   = ["SYMMETRIC_DEFAULT"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:KeyUsage"
      values   = ["ENCRYPT_DECRYPT"]
    }
  }

  # Tags given to CreateKey need kms:TagResource covering every key of the
  # account and region; only the app's two tag keys, with app = app_name.
  statement {
    sid       = "TagUserKeys"
    effect    = "Allow"
    actions   = ["kms:TagResource"]
    resources = [local.kms_keys_arn]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/app"
      values   = [var.app_name]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["app", "user_id"]
    }
  }

  # CreateAlias is authorized on the alias and on the key. Only new aliases
  # under alias/<app_name>/user/ (no UpdateAlias/DeleteAlias: an existing
  # user's alias cannot be moved). No tag condition on the key: tags on a
  # key created a moment ago may not be visible to IAM yet, and an alias to
  # an untagged key is useless (GenerateDataKey requires the tag).
  statement {
    sid       = "AliasUserKeys"
    effect    = "Allow"
    actions   = ["kms:CreateAlias"]
    resources = [local.kms_aliases_arn, local.kms_keys_arn]
  }

  # DescribeKey by alias: is the user provisioned, and which key is theirs.
  statement {
    sid       = "DescribeUserKeys"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = [local.kms_keys_arn]
  }
}

# Use: wrap and unwrap message data keys, only under the app's keys and only
# with the app's encryption context. The app role only (the Lambda never
# touches message keys).
data "aws_iam_policy_document" "kms_use" {
  statement {
    sid       = "UseUserKeys"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.kms_keys_arn]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }
  }
}
