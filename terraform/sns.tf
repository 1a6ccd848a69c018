# One topic per user, <app_name>-user-<user id>, created at provisioning by
# the Lambda trigger or the app (app/aws/snsnotifier); the user's email is
# subscribed to it. Terraform only scopes the permissions to that name.

data "aws_iam_policy_document" "sns_provision" {
  # CreateTopic with tags also needs sns:TagResource; listing subscriptions
  # keeps a second Subscribe (and a second confirmation mail) from happening.
  statement {
    sid       = "CreateUserTopics"
    effect    = "Allow"
    actions   = ["sns:CreateTopic", "sns:TagResource", "sns:ListSubscriptionsByTopic"]
    resources = [local.user_topics_arn]
  }

  # Email subscriptions only: no HTTP, SQS or Lambda endpoint can be attached.
  statement {
    sid       = "SubscribeUserEmail"
    effect    = "Allow"
    actions   = ["sns:Subscribe"]
    resources = [local.user_topics_arn]

    condition {
      test     = "StringEquals"
      variable = "sns:Protocol"
      values   = ["email"]
    }
  }
}

# The app only: notify, and tell users whether their address confirmed its
# subscription (the settings page). A subscription's ARN is its topic's ARN
# followed by :<id>; the attributes say whether it is still pending.
data "aws_iam_policy_document" "sns_publish" {
  statement {
    sid       = "NotifyUsers"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [local.user_topics_arn]
  }

  statement {
    sid       = "ReadUserSubscriptions"
    effect    = "Allow"
    actions   = ["sns:GetSubscriptionAttributes"]
    resources = ["${local.user_topics_arn}:*"]
  }

  # A changed email: the old address's subscription goes
  # (app/aws/snsnotifier/emailchange.go).
  statement {
    sid       = "UnsubscribeOldEmail"
    effect    = "Allow"
    actions   = ["sns:Unsubscribe"]
    resources = ["${local.user_topics_arn}:*"]
  }

  # A deleted account's topic goes with it (its subscriptions too).
  statement {
    sid       = "DeleteUserTopics"
    effect    = "Allow"
    actions   = ["sns:DeleteTopic"]
    resources = [local.user_topics_arn]
  }
}
