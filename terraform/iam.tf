# Two roles, each allowed only what its code calls, and a deploy policy for
# Jenkins (ecr.tf):
#   - the Lambda trigger: provisioning (kms.tf, sns.tf in mail_mode sns) + its users-table
#     lookups and row + its logs;
#   - the app instances (instance profile, never access keys): the app's SDK
#     calls (policy "app") and what the instance itself does at boot and
#     while it runs, outside the app's code (policy "instance": read the
#     image tag and the client secret, pull the image, ship container logs).
#
# iam-actions.txt beside this file lists every action each role needs, on
# which resource, and who calls it. The "code" lines are what the app's SDK
# calls need, collected by a test that runs the flows on the emulators
# (app/server TestIAMGrantsMatchTheCode); .ci/infra checks that the
# policies below grant exactly the lines of that file, so neither the code
# nor this file can drift from the other.
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
    data.aws_iam_policy_document.user_keys_provision.json,
  ]

  # provision.User: look the user up by ID (user_id-index, then the row
  # itself when a retried trigger finds it), then write the directory row
  # with a conditional UpdateItem (never a PutItem: a retried trigger keeps
  # the row's session version).
  statement {
    sid       = "UsersTableRow"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
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

# mail_mode = sns only: the user's topic and its email subscription. In ses
# mode provisioning makes no topic, and the trigger sends no mail.
resource "aws_iam_role_policy" "lambda_sns" {
  count  = local.ses_mail ? 0 : 1
  name   = "user-topics"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.sns_provision.json
}

# key_mode = per-user-kms only: creating a KMS key and alias per user. The
# key hierarchy (the default) needs neither.
resource "aws_iam_role_policy" "lambda_per_user_kms" {
  count  = local.per_user_kms ? 1 : 0
  name   = "per-user-kms-keys"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.kms_provision.json
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

# The app's SDK calls. Cognito's SignUp, ConfirmSignUp, ResendConfirmationCode,
# InitiateAuth, ForgotPassword and ConfirmForgotPassword are public
# (unauthenticated) APIs that IAM never evaluates, authorized by the client
# ID and SECRET_HASH. The only cognito-idp actions it needs are the two below
# (statement ExpiredSignUps).
data "aws_iam_policy_document" "app" {
  # Lazy provisioning at first login runs the same code as the trigger.
  source_policy_documents = [
    data.aws_iam_policy_document.user_keys_provision.json,
    data.aws_iam_policy_document.user_keys_use.json,
    data.aws_iam_policy_document.kms_app_key.json,
  ]

  # A sign-up for a name whose unconfirmed account's code has expired
  # removes that account first (cognitoidentity.removeExpired): it reads the
  # account's status and age, and deletes it only if it is still unconfirmed.
  statement {
    sid       = "ExpiredSignUps"
    effect    = "Allow"
    actions   = ["cognito-idp:AdminGetUser", "cognito-idp:AdminDeleteUser"]
    resources = [aws_cognito_user_pool.users.arn]
  }

  # Blobs live under messages/<id>. Multipart uploads are authorized as
  # s3:PutObject; no s3:DeleteObjectVersion (versions expire on their own).
  statement {
    sid       = "Blobs"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [local.blob_objects_arn]
  }

  # Not for listing (nothing on a request's path lists): without
  # s3:ListBucket S3 answers a GetObject of a missing key with 403 Access
  # Denied, with it 404 NoSuchKey, which the app turns into "no such
  # message" instead of a server error. No s3:prefix condition: S3 checks
  # this permission without a prefix, so a condition would bring the 403
  # back. The bucket holds nothing but the app's blobs.
  statement {
    sid       = "MissingBlobIs404"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.blobs.arn]
  }

  # Users: rows by username, lookups by ID (user_id-index) and the
  # directory (a Query of directory-index); rows are written with UpdateItem.
  statement {
    sid       = "UsersTable"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.users.arn]
  }

  statement {
    sid       = "UsersIndexes"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.users.arn}/index/user_id-index", "${aws_dynamodb_table.users.arn}/index/directory-index"]
  }

  # The cluster's cookie key ring is one item of the users table, replaced
  # whole with a conditional PutItem (app/aws/dynamostore/cookiekeys.go):
  # PutItem on that item's key only, never on a user's row.
  statement {
    sid       = "CookieKeyRing"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.users.arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = ["#cookie-keys"]
    }
  }

  # BatchGetItem reads a page of a decrypt record (dynamostore/decryptrecord.go);
  # its appends are TransactWriteItems, authorized as their PutItem and UpdateItem.
  statement {
    sid       = "MessagesTable"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchGetItem"]
    resources = [aws_dynamodb_table.messages.arn]
  }

  statement {
    sid     = "MessagesIndexes"
    effect  = "Allow"
    actions = ["dynamodb:Query"]
    resources = [
      "${aws_dynamodb_table.messages.arn}/index/recipient-index",
      "${aws_dynamodb_table.messages.arn}/index/sender-index",
      "${aws_dynamodb_table.messages.arn}/index/unread-index",
      "${aws_dynamodb_table.messages.arn}/index/read-index",
      "${aws_dynamodb_table.messages.arn}/index/pending-index",
      "${aws_dynamodb_table.messages.arn}/index/conversation-index",
      "${aws_dynamodb_table.messages.arn}/index/expiry-index",
      "${aws_dynamodb_table.messages.arn}/index/request-index",
      "${aws_dynamodb_table.messages.arn}/index/preview-index",
    ]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "imageapp-server"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# mail_mode = sns only: per-user topics, made (lazy provisioning), published
# to, read, unsubscribed from and deleted. ses mode: ses_mail.tf instead.
data "aws_iam_policy_document" "app_sns" {
  source_policy_documents = [
    data.aws_iam_policy_document.sns_provision.json,
    data.aws_iam_policy_document.sns_publish.json,
  ]
}

resource "aws_iam_role_policy" "app_sns" {
  count  = local.ses_mail ? 0 : 1
  name   = "user-topics"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app_sns.json
}

# key_mode = per-user-kms only: a KMS key per user, made (lazy provisioning),
# used and destroyed (account deletion) by the app.
data "aws_iam_policy_document" "app_per_user_kms" {
  source_policy_documents = [
    data.aws_iam_policy_document.kms_provision.json,
    data.aws_iam_policy_document.kms_use.json,
    data.aws_iam_policy_document.kms_destroy.json,
  ]
}

resource "aws_iam_role_policy" "app_per_user_kms" {
  count  = local.per_user_kms ? 1 : 0
  name   = "per-user-kms-keys"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app_per_user_kms.json
}

# The instance itself, not the app's code: the boot script reads the client
# secret and the Valkey password and pulls the image (user_data.sh.tftpl);
# docker's awslogs driver ships the containers' logs.
data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "BootParameters"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.cognito_client_secret.arn, aws_ssm_parameter.valkey_password.arn]
  }

  # Registry login: "*" is the only resource AWS accepts (whitelisted in .ci/infra).
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }

  statement {
    sid       = "PullImage"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "ContainerLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.app.arn}:*"]
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "imageapp-instance"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.instance.json
}
