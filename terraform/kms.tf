# Users' keys come in two modes (var.key_mode; README, "Key modes").
#
# hierarchy (the default): one KMS key, aws_kms_key.root below, wraps a user
# key per user (GenerateDataKey under the encryption context {app, user_id,
# purpose = user-key}); the wrapped user key is an item of the users table
# (#user-key#<user id>), and the app wraps message data keys under it
# (app/aws/kmskeys/hierarchy.go). No KMS key per user, so no CreateKey or
# CreateAlias: the per-user grants below are attached only in the other mode
# (iam.tf, count = local.per_user_kms).
#
# per-user-kms: per-user KMS keys are not Terraform resources: the app creates one symmetric
# key per user at provisioning (the Lambda trigger, or the app lazily at first
# login), tagged app = var.app_name and user_id, with the alias
# alias/<app_name>/user/<user id> (app/aws/kmskeys). Each gets its key policy
# at CreateKey (kmskeys.KeyPolicy, from IMAGEAPP_APP_ROLE_ARN): the account's
# IAM administrators manage it (so these documents apply), the app role may
# GenerateDataKey/Decrypt under encryption context app = var.app_name from the
# moment the key exists (IAM tag conditions can lag minutes behind a new
# key), and the app and trigger roles may ScheduleKeyDeletion (30-day window
# only) while the key has no alias: the key of a lost alias race. That grant
# is in the key policy, not here, because only the key policy is certain to
# hold the instant after CreateKey. The one IAM grant of deletion is the
# app's, for a deleted account's key, with the 7-day window only (below).
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

  # Tags given to CreateKey need kms:TagResource on the new key, whose ID
  # KMS picks, so the resource can only be every key of the account and
  # region (what KMS does not allow narrower). The conditions narrow it:
  # only the app's two tag keys, app = app_name, and never on a key that
  # another app's tag already names.
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

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/app"
      values   = [var.app_name]
    }
  }

  # CreateAlias is authorized on the alias and on the key. Only new aliases
  # under alias/<app_name>/user/ (no UpdateAlias/DeleteAlias: an existing
  # user's alias cannot be moved). The key side cannot be narrower than
  # every key (its ID is new), and takes no tag condition: tags on a key
  # created a moment ago may not be visible to IAM yet, and an alias to an
  # untagged key is useless (GenerateDataKey requires the tag).
  statement {
    sid       = "AliasUserKeys"
    effect    = "Allow"
    actions   = ["kms:CreateAlias"]
    resources = [local.kms_aliases_arn, local.kms_keys_arn]
  }

  # DescribeKey by alias: is the user provisioned, and which key is theirs.
  # IAM authorizes it on the key the alias names (any key ID), so the
  # condition pins the request instead: only through a user alias of this app.
  statement {
    sid       = "DescribeUserKeys"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = [local.kms_keys_arn]

    condition {
      test     = "StringLike"
      variable = "kms:RequestAlias"
      values   = ["alias/${var.app_name}/user/*"]
    }
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

# Account deletion (app/accounts/delete.go): the deleted user's key is
# scheduled for deletion with KMS's shortest window, 7 days, which makes it
# unusable at once; an administrator can cancel within the window. Only that
# window, only the app's keys. The app role only.
data "aws_iam_policy_document" "kms_destroy" {
  statement {
    sid       = "DestroyDeletedAccountsKey"
    effect    = "Allow"
    actions   = ["kms:ScheduleKeyDeletion"]
    resources = [local.kms_keys_arn]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/app"
      values   = [var.app_name]
    }

    condition {
      test     = "NumericEquals"
      variable = "kms:ScheduleKeyDeletionPendingWindowInDays"
      values   = ["7"]
    }
  }
}

# The app's own key. It wraps the cookie keys (session and device cookies):
# one item of the users table holds the ring of key pairs, each encrypted
# with this key (app/aws/dynamostore/cookiekeys.go); the first instance to
# start creates it. So no cookie key is in Terraform state, user data, the
# image or logs: Terraform only makes the key that wraps them. Rotate the
# cookie keys with `imageapp cookie-keys rotate` (app/README.md); KMS rotates this
# key's backing material yearly, old ciphertexts still decrypt.
#
# Not tagged app = var.app_name: that tag is what the per-user grants above
# look for. Its own grant, below, allows Encrypt/Decrypt under the cookie-keys
# encryption context only, and a Deny keeps it so even if the key were tagged.
resource "aws_kms_key" "app" {
  description             = "${var.app_name}: wraps the app's cookie keys (encryption context purpose = cookie-keys)"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.app_key_policy.json
}

# The app role and its key: Encrypt (a new pair) and Decrypt (every instance
# reads the ring) with exactly the context {app, purpose = cookie-keys}, and
# the same for the key that signs the decrypt records (purpose = decrypt-record,
# app/aws/dynamostore/recordkey.go).
data "aws_iam_policy_document" "kms_app_key" {
  statement {
    sid       = "CookieKeys"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt"]
    resources = [aws_kms_key.app.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["cookie-keys", "decrypt-record"]
    }
  }

  # GET /readyz asks whether the key is there and enabled.
  statement {
    sid       = "Readiness"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = [aws_kms_key.app.arn]
  }

  statement {
    sid    = "AppKeyIsForCookieKeysOnly"
    effect = "Deny"
    actions = [
      "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom", "kms:ReEncryptTo",
    ]
    resources = [aws_kms_key.app.arn]

    condition {
      test     = "StringNotEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["cookie-keys", "decrypt-record"]
    }
  }
}

# The app key's own policy separates the two jobs: administrators
# (var.kms_admin_arns, or the account's IAM administrators through the
# account principal) manage the key and cannot use it; the app role uses it
# (Encrypt/Decrypt under the cookie-keys context) and cannot manage it. The
# account principal gets no cryptographic action, so no IAM policy can grant
# one to anybody else. In a key policy, resource "*" is this key.
# The principal running Terraform must be one of the administrators (KMS
# refuses a policy that would lock its caller out).
data "aws_iam_policy_document" "app_key_policy" {
  statement {
    sid    = "KeyAdministrators"
    effect = "Allow"
    actions = [
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListKeyPolicies",
      "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:RotateKeyOnDemand",
      "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
      "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
      "kms:ListGrants", "kms:RevokeGrant", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = length(var.kms_admin_arns) > 0 ? var.kms_admin_arns : ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # The app's readiness check (GET /readyz) describes the key: not a use of it.
  statement {
    sid       = "AppChecksKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }

  statement {
    sid       = "AppUsesKeyForCookieKeys"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["cookie-keys", "decrypt-record"]
    }
  }
}

resource "aws_kms_alias" "app" {
  name          = "alias/${var.app_name}/app"
  target_key_id = aws_kms_key.app.key_id
}

locals {
  per_user_kms = var.key_mode == "per-user-kms"
}

# The root key of the key hierarchy. It exists in both modes (an unused key
# costs $1/month; the app in per-user-kms mode never calls it), so the
# policies that name it need no count. It is not tagged app = var.app_name:
# the per-user grants must not reach it.
resource "aws_kms_key" "root" {
  description             = "${var.app_name}: the root key, wraps each user's key (encryption context purpose = user-key)"
  key_usage               = "ENCRYPT_DECRYPT"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.root_key_policy.json
}

resource "aws_kms_alias" "root" {
  name          = "alias/${var.app_name}/root"
  target_key_id = aws_kms_key.root.key_id
}

# Provisioning (the trigger, and the app lazily): a new user key under the
# root key, bound to its user by the context; stored with a conditional
# UpdateItem of the user key's own item.
data "aws_iam_policy_document" "user_keys_provision" {
  statement {
    sid       = "NewUserKeys"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.root.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["user-key"]
    }
  }

  statement {
    sid       = "StoreUserKeys"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.users.arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["#user-key#*"]
    }
  }
}

# The app: unwrap a user key (a send or an open whose user key is not in
# the instance's cache), and delete one (account deletion: the crypto-shred).
data "aws_iam_policy_document" "user_keys_use" {
  statement {
    sid       = "UnwrapUserKeys"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.root.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["user-key"]
    }
  }

  statement {
    sid       = "ShredUserKeys"
    effect    = "Allow"
    actions   = ["dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.users.arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["#user-key#*"]
    }
  }
}

# The root key's own policy, as the app key's: administrators manage it and
# cannot use it; the app and trigger roles use it under the user-key
# context only and cannot manage it.
data "aws_iam_policy_document" "root_key_policy" {
  statement {
    sid    = "KeyAdministrators"
    effect = "Allow"
    actions = [
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListKeyPolicies",
      "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:RotateKeyOnDemand",
      "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
      "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
      "kms:ListGrants", "kms:RevokeGrant", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = length(var.kms_admin_arns) > 0 ? var.kms_admin_arns : ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AppAndTriggerUseKeyForUserKeys"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn, aws_iam_role.lambda.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = [var.app_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:purpose"
      values   = ["user-key"]
    }
  }
}
