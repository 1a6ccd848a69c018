# The app's own metrics: each instance writes one CloudWatch Embedded
# Metric Format line a minute to its log (IMAGEAPP_METRICS=emf, app/metrics),
# which CloudWatch Logs turns into metrics in the ImageApp namespace with
# the dimension Service = app_name. No agent, no PutMetricData permission.
# What each alarm means: terraform/README.md, "Notification mail and the
# app's metrics".

locals {
  app_metric_dimensions = { Service = var.app_name }
}

# Store calls the AWS services failed (not conditions that did not hold):
# DynamoDB is every request's store, so a few a minute is already news.
resource "aws_cloudwatch_metric_alarm" "app_store_errors" {
  alarm_name          = "${var.app_name}-store-errors"
  alarm_description   = "More than 10 failed DynamoDB calls a minute for 5 minutes, summed over the instances (app metric DynamoDBErrors)."
  namespace           = "ImageApp"
  metric_name         = "DynamoDBErrors"
  dimensions          = local.app_metric_dimensions
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 10
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Notification mail that could not be handed to SNS: users stop hearing of
# new images (the live inbox still updates).
resource "aws_cloudwatch_metric_alarm" "app_mail_errors" {
  alarm_name          = "${var.app_name}-mail-errors"
  alarm_description   = "Notification mail failing for 15 minutes (app metric MailErrors)."
  namespace           = "ImageApp"
  metric_name         = "MailErrors"
  dimensions          = local.app_metric_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Previews waiting on an instance: a queue that stays deep means the
# workers cannot keep up (the sweep redoes what a full queue drops).
resource "aws_cloudwatch_metric_alarm" "app_preview_queue" {
  alarm_name          = "${var.app_name}-preview-queue"
  alarm_description   = "An instance's preview queue above 100 for 10 minutes (app metric PreviewQueueDepth)."
  namespace           = "ImageApp"
  metric_name         = "PreviewQueueDepth"
  dimensions          = local.app_metric_dimensions
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  comparison_operator = "GreaterThanThreshold"
  threshold           = 100
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_dashboard" "app_metrics" {
  dashboard_name = "${var.app_name}-app"
  dashboard_body = jsonencode({
    widgets = [
      for i, w in [
        { title = "Sends and opens", stat = "Sum", metrics = ["Sends", "Opens"] },
        { title = "Notification mail", stat = "Sum", metrics = ["MailsSent", "DigestsSent", "MailsCoalesced", "MailErrors"] },
        { title = "Store latency (p99, ms)", stat = "p99", metrics = ["DynamoDBLatency", "KMSLatency", "S3Latency", "SNSLatency"] },
        { title = "Store errors", stat = "Sum", metrics = ["DynamoDBErrors", "KMSErrors", "S3Errors", "SNSErrors"] },
        { title = "Preview queue and live streams", stat = "Maximum", metrics = ["PreviewQueueDepth", "LiveStreams"] },
        { title = "Limit refusals", stat = "Sum", metrics = ["LimitRefusals"] },
        ] : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = w.title
          region  = var.region
          stat    = w.stat
          period  = 60
          metrics = [for m in w.metrics : ["ImageApp", m, "Service", var.app_name]]
        }
      }
    ]
  })
}
