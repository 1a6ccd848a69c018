# Two roles, each allowed only what its code calls:
#   - the Lambda trigger: provisioning (kms.tf, sns.tf) + its users-table row + its logs;
#   - the app (EC2 instance profile, never access keys): provisioning, data
#     keys, blobs, both tables, notifications and the client secret.
# Every policy is an aws_iam_policy_document; .ci/infra checks them all.

# --- Lambda trigger ---------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    sid     = "LambdaAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${var.app_name}-post-confirmation"
  description        = "Cognito post-confirmation trigger of ${var.app_name}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "lambda" {
  source_policy_documents = [
    data.aws_iam_policy_document.kms_provision.json,
    data.aws_iam_policy_document.sns_provision.json,
  ]

  # provision.User: look the user up by ID (user_id-index), then write the
  # directory row with a condition (UpdateItem); Get/Put for the same row.
  statement {
    sid       = "UsersTableRow"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.users.arn]
  }

  statement {
    sid       = "UsersByID"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.users.arn}/index/user_id-index"]
  }

  # Its own log group only (created by Terraform, so no CreateLogGroup).
  statement {
    sid       = "OwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.post_confirmation.arn}:*"]
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "provision-users"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

# --- The app (EC2) ------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    sid     = "EC2Assume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.app_name}-app"
  description        = "The ${var.app_name} server on EC2"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.app_name}-app"
  role = aws_iam_role.app.name
}

data "aws_iam_policy_document" "app" {
  # Lazy provisioning at first login runs the same code as the trigger.
  source_policy_documents = [
    data.aws_iam_policy_document.kms_provision.json,
    data.aws_iam_policy_document.kms_use.json,
    data.aws_iam_policy_document.sns_provision.json,
    data.aws_iam_policy_document.sns_publish.json,
  ]

  # Blobs live under messages/<id>. Multipart uploads are authorized as
  # s3:PutObject; no s3:DeleteObjectVersion (versions expire on their own).
  statement {
    sid       = "Blobs"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [local.blob_objects_arn]
  }

  # The orphan sweeper lists messages/ (ListObjectsV2 with that prefix).
  statement {
    sid       = "ListBlobs"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.blobs.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["messages/*"]
    }
  }

  # Users: rows, lookups by ID (index) and the paginated directory (the one
  # Scan of the app). Transactions need no action of their own: IAM
  # authorizes TransactWriteItems through the item actions listed here.
  statement {
    sid    = "UsersTable"
    effect = "Allow"
    actions = [
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:Scan",
    ]
    resources = [aws_dynamodb_table.users.arn, "${aws_dynamodb_table.users.arn}/index/*"]
  }

  statement {
    sid    = "MessagesTable"
    effect = "Allow"
    actions = [
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
    ]
    resources = [aws_dynamodb_table.messages.arn, "${aws_dynamodb_table.messages.arn}/index/*"]
  }

  # The instance reads the client secret at boot (user data) with this role.
  statement {
    sid       = "ClientSecret"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.cognito_client_secret.arn]
  }

  # SignUp, ConfirmSignUp, ResendConfirmationCode, InitiateAuth,
  # ForgotPassword and ConfirmForgotPassword are public (unauthenticated)
  # user pool APIs: IAM does not evaluate them, the client ID and
  # SECRET_HASH authorize them. Listed, on this pool only, so the policy says
  # what the app does. The app calls no Admin* API, so none is granted.
  statement {
    sid    = "UserPoolClient"
    effect = "Allow"
    actions = [
      "cognito-idp:SignUp", "cognito-idp:ConfirmSignUp", "cognito-idp:ResendConfirmationCode",
      "cognito-idp:InitiateAuth", "cognito-idp:ForgotPassword", "cognito-idp:ConfirmForgotPassword",
    ]
    resources = [aws_cognito_user_pool.users.arn]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "imageapp-server"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}
