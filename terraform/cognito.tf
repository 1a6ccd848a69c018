locals {
  ses_identity_arn = "arn:${local.partition}:ses:${var.region}:${local.account_id}:identity/${var.ses_identity}"
  mail_from        = var.mail_from != "" ? var.mail_from : (strcontains(var.ses_identity, "@") ? var.ses_identity : "no-reply@${var.ses_identity}")
}

# The user pool. The app signs people up with the lowercased username as the
# pool's username and the name as typed in preferred_username
# (app/aws/cognitoidentity), so usernames are case-insensitive either way.
resource "aws_cognito_user_pool" "users" {
  name                = "${var.app_name}-users"
  deletion_protection = "ACTIVE"
  mfa_configuration   = "OFF"

  # Threat protection (var.cognito_threat_protection) needs the Plus tier;
  # without it the pool keeps the tier it has (Lite or Essentials).
  user_pool_tier = var.cognito_threat_protection == "OFF" ? null : "PLUS"

  dynamic "user_pool_add_ons" {
    for_each = var.cognito_threat_protection == "OFF" ? [] : [1]
    content {
      advanced_security_mode = var.cognito_threat_protection
    }
  }

  username_configuration {
    case_sensitive = false
  }

  # Email verification by a code (the app's /verify form takes it).
  auto_verified_attributes = ["email"]

  # A changed email takes effect only once its code is entered: until then
  # the old address stays, for sign-in, resets and codes.
  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = "Your ImageApp verification code"
    email_message        = "Your ImageApp verification code is {####}."
  }

  # The app's own rule: at least 10 characters, no character classes. A
  # stricter pool would reject passwords the app's form accepts.
  password_policy {
    minimum_length                   = 10
    require_lowercase                = false
    require_uppercase                = false
    require_numbers                  = false
    require_symbols                  = false
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  # Codes go out through Amazon SES (DEVELOPER): Cognito's own sender has a
  # small daily cap and AWS documents custom messages as SES-only. The
  # identity must be verified first and the account out of the SES sandbox
  # before strangers get mail (README).
  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = local.ses_identity_arn
    from_email_address    = local.mail_from
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  # Provisioning (per-user KMS key, SNS topic, directory row) after a
  # confirmed sign-up; the app provisions lazily at first login if it failed.
  lambda_config {
    post_confirmation = aws_lambda_function.post_confirmation.arn
  }
}

resource "aws_lambda_permission" "cognito_post_confirmation" {
  statement_id   = "AllowCognitoPostConfirmation"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.post_confirmation.function_name
  principal      = "cognito-idp.amazonaws.com"
  source_arn     = aws_cognito_user_pool.users.arn
  source_account = local.account_id
}

# The app's client: a confidential client (it has a secret, so every call
# carries SECRET_HASH), password login and refresh only.
resource "aws_cognito_user_pool_client" "web" {
  name         = "${var.app_name}-web"
  user_pool_id = aws_cognito_user_pool.users.id

  generate_secret               = true
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  # The app sends each person's address in UserContextData (the threat
  # protection judges sign-ins by it); Cognito takes it only from a client
  # with a secret that turns this on.
  enable_propagate_additional_user_context_data = true

  read_attributes  = ["email", "email_verified", "preferred_username"]
  write_attributes = ["email", "preferred_username"]

  access_token_validity  = 60
  id_token_validity      = 60
  refresh_token_validity = 30

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}

# The client secret, for the instance to read at boot with its role. It is
# never written into user data; terraform state holds it too (see providers.tf).
# SecureString under the AWS managed key aws/ssm: the role needs no KMS grant.
resource "aws_ssm_parameter" "cognito_client_secret" {
  name        = "/${var.app_name}/cognito/client-secret"
  description = "IMAGEAPP_COGNITO_CLIENT_SECRET of the ${var.app_name} app client"
  type        = "SecureString"
  value       = aws_cognito_user_pool_client.web.client_secret
}
