# The Cognito post-confirmation trigger (lambda/), a Go binary on the OS-only
# runtime, built for arm64 (Graviton: cheaper per GB-second, and the same
# architecture as the instance). Build the zip before terraform plan/apply:
#
#   cd lambda && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o dist/bootstrap . \
#     && cd dist && zip bootstrap.zip bootstrap
#
# (lambda/build.sh runs exactly that.) After the first apply, Jenkins ships
# the code with every release (aws lambda update-function-code, the
# Jenkinsfile's "Ship Lambda" stage), so it never drifts from the image.

locals {
  lambda_name = "${var.app_name}-post-confirmation"
}

resource "aws_cloudwatch_log_group" "post_confirmation" {
  name              = "/aws/lambda/${local.lambda_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "post_confirmation" {
  function_name    = local.lambda_name
  description      = "Cognito post-confirmation: user key, SNS topic (sns mail mode) and directory row"
  role             = aws_iam_role.lambda.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  memory_size      = 128
  # Cognito waits 5 s for a trigger and then fails the confirmation; the
  # function stops well before, so a slow KMS or SNS call ends in its own
  # error (the user is confirmed anyway and the app provisions at first
  # login) instead of Cognito's timeout. Provisioning takes ~1 s warm.
  timeout = 3

  environment {
    variables = {
      IMAGEAPP_USERS_TABLE      = aws_dynamodb_table.users.name
      IMAGEAPP_APP_NAME         = var.app_name
      IMAGEAPP_APP_ROLE_ARN     = aws_iam_role.app.arn    # named in each new user key's policy
      IMAGEAPP_TRIGGER_ROLE_ARN = aws_iam_role.lambda.arn # may drop a key it created and lost
      IMAGEAPP_KEY_MODE         = var.key_mode
      IMAGEAPP_ROOT_KEY_ID      = aws_kms_key.root.arn
      IMAGEAPP_MAIL             = var.mail_mode # ses: provisioning makes no topic
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.post_confirmation.name
  }

  # Jenkins ships the code of every release (same commit as the image):
  # an apply from an older checkout must not put older code back. The zip
  # is only needed for the first create.
  lifecycle {
    ignore_changes = [filename, source_code_hash]
  }

  depends_on = [
    aws_cloudwatch_log_group.post_confirmation,
    aws_iam_role_policy.lambda,
    aws_iam_role_policy.lambda_sns,
  ]
}
