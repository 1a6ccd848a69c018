# Notification mail in mail_mode = "ses" (app/aws/sesnotifier): one SES
# SendEmail per notification, straight to the address Cognito verified, from
# no-reply@<ses_domain>. No resource per user, unlike sns mode's topic per
# user (sns.tf). README, "Mail modes".
#
# Terraform makes the sending domain's identity (Easy DKIM: publish the
# three CNAMEs of output ses_dkim_records) and a configuration set whose
# event destination counts bounces and complaints in CloudWatch (the alarms
# below). It cannot take the account out of the SES sandbox: that is a
# support request (README).

locals {
  ses_mail = var.mail_mode == "ses"

  ses_from                  = "no-reply@${var.ses_domain}"
  ses_configuration_set     = "${var.app_name}-mail"
  ses_mail_identity_arn     = "arn:${local.partition}:ses:${var.region}:${local.account_id}:identity/${var.ses_domain}"
  ses_configuration_set_arn = "arn:${local.partition}:ses:${var.region}:${local.account_id}:configuration-set/${local.ses_configuration_set}"

  # The app's mail settings: lines of local.app_env (ec2.tf), no secret.
  mail_env = join("\n", concat(["IMAGEAPP_MAIL=${var.mail_mode}"], local.ses_mail ? [
    "IMAGEAPP_SES_FROM=${local.ses_from}",
    "IMAGEAPP_SES_CONFIGURATION_SET=${local.ses_configuration_set}",
  ] : []))
}

resource "aws_sesv2_configuration_set" "mail" {
  count                  = local.ses_mail ? 1 : 0
  configuration_set_name = local.ses_configuration_set

  # Mail leaves SES over TLS only; reputation metrics per configuration set.
  delivery_options {
    tls_policy = "REQUIRE"
  }
  reputation_options {
    reputation_metrics_enabled = true
  }
  # SES drops mail to addresses that bounced or complained (the account's
  # suppression list), which the app reads for the settings page.
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }

  lifecycle {
    precondition {
      condition     = var.ses_domain != ""
      error_message = "mail_mode = \"ses\" needs ses_domain, the domain notification mail is sent from."
    }
  }
}

# Sends, bounces and complaints of this set as CloudWatch metrics
# (AWS/SES, dimension configuration-set), which the rate alarms divide.
resource "aws_sesv2_configuration_set_event_destination" "mail_feedback" {
  count                  = local.ses_mail ? 1 : 0
  configuration_set_name = aws_sesv2_configuration_set.mail[0].configuration_set_name
  event_destination_name = "bounces-complaints"

  event_destination {
    enabled              = true
    matching_event_types = ["SEND", "BOUNCE", "COMPLAINT", "REJECT"]

    cloud_watch_destination {
      dimension_configuration {
        dimension_name          = "configuration-set"
        dimension_value_source  = "MESSAGE_TAG"
        default_dimension_value = local.ses_configuration_set # the app sets no tag: every mail counts here
      }
    }
  }
}

resource "aws_sesv2_email_identity" "mail" {
  count                  = local.ses_mail ? 1 : 0
  email_identity         = var.ses_domain
  configuration_set_name = aws_sesv2_configuration_set.mail[0].configuration_set_name

  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

# The app only (the trigger provisions nothing in ses mode): mail from the
# one From address through the identity and the set, and read whether an
# address is suppressed (the settings page).
data "aws_iam_policy_document" "ses_send" {
  statement {
    sid       = "SendNotificationMail"
    effect    = "Allow"
    actions   = ["ses:SendEmail"]
    resources = [local.ses_mail_identity_arn, local.ses_configuration_set_arn]

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [local.ses_from]
    }
  }

  # The suppression list is the account's: SES has no resource to scope it
  # to (whitelisted in .ci/infra); read-only, pinned to the region.
  statement {
    sid       = "ReadSuppressedAddresses"
    effect    = "Allow"
    actions   = ["ses:GetSuppressedDestination"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }
}

resource "aws_iam_role_policy" "app_ses" {
  count  = local.ses_mail ? 1 : 0
  name   = "ses-mail"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.ses_send.json
}

# Bounce and complaint rates of the notification mail alone, from the
# configuration set's events (the account-wide reputation alarms in
# monitoring.tf also count Cognito's codes), at the same thresholds.
resource "aws_cloudwatch_metric_alarm" "ses_mail_rates" {
  for_each = local.ses_mail ? { bounce = { metric = "Bounce", threshold = 0.04 }, complaint = { metric = "Complaint", threshold = 0.0008 } } : {}

  alarm_name          = "${var.app_name}-mail-${each.key}-rate"
  alarm_description   = "Notification mail (SES configuration set ${local.ses_configuration_set}): ${each.key} rate above ${each.value.threshold * 100} % of sends in an hour."
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(sends > 0, events / sends, 0)"
    label       = "${each.key} rate"
    return_data = true
  }

  metric_query {
    id = "events"
    metric {
      namespace   = "AWS/SES"
      metric_name = each.value.metric
      dimensions  = { "configuration-set" = local.ses_configuration_set }
      stat        = "Sum"
      period      = 3600
    }
  }

  metric_query {
    id = "sends"
    metric {
      namespace   = "AWS/SES"
      metric_name = "Send"
      dimensions  = { "configuration-set" = local.ses_configuration_set }
      stat        = "Sum"
      period      = 3600
    }
  }
}
