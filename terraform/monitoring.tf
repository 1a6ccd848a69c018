# Operations: alarms (to one SNS topic), the two rollout alarms an instance
# refresh watches, a dashboard, a monthly budget, the buckets of the ALB's and
# CloudFront's access logs and metric filters over the app's JSON log lines. What each alarm means and
# what to do: terraform/README.md, "Operations".

locals {
  alb_dimensions = { LoadBalancer = aws_lb.app.arn_suffix }
  tg_dimensions  = { LoadBalancer = aws_lb.app.arn_suffix, TargetGroup = aws_lb_target_group.app.arn_suffix }

  # The alarms an instance refresh watches: any of them in ALARM at a
  # checkpoint (or during the refresh) rolls it back.
  rollout_alarms = [
    aws_cloudwatch_metric_alarm.rollout_5xx.alarm_name,
    aws_cloudwatch_metric_alarm.rollout_unhealthy_hosts.alarm_name,
  ]

  # Every table and GSI whose throttles raise an alarm: "<table>" or "<table>/<index>".
  dynamo_targets = merge(
    { for t in [aws_dynamodb_table.users, aws_dynamodb_table.messages] : t.name => { table = t.name, index = "" } },
    { for pair in flatten([for t in [aws_dynamodb_table.users, aws_dynamodb_table.messages] :
      [for g in t.global_secondary_index : { table = t.name, index = g.name }]]) : "${pair.table}/${pair.index}" => pair
    },
  )

  valkey_nodes = [for i in range(2) : format("%s-%03d", aws_elasticache_replication_group.shared.replication_group_id, i + 1)]

  # The refresh preferences Jenkins passes to start-instance-refresh (the
  # same as the group's instance_refresh block), as JSON.
  rollout_preferences = {
    MinHealthyPercentage  = 100
    MaxHealthyPercentage  = 200
    InstanceWarmup        = 120
    CheckpointPercentages = var.rollout_checkpoints
    CheckpointDelay       = var.checkpoint_delay_seconds
    SkipMatching          = false
    AutoRollback          = true
    AlarmSpecification    = { Alarms = local.rollout_alarms }
  }
}

# --- where alarms go ------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name = "${var.app_name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# CloudWatch alarms of this account and AWS Budgets may publish here.
data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "CloudWatchAlarms"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "Budgets"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

# --- the rollout alarms (an instance refresh rolls back on them) ----------------

# Server errors: the app's 5xx plus the ALB's own (502/503/504: no healthy
# target, a target that hung up), per minute.
resource "aws_cloudwatch_metric_alarm" "rollout_5xx" {
  alarm_name          = "${var.app_name}-rollout-5xx"
  alarm_description   = "More than ${var.alarm_5xx_per_minute} server errors a minute (target 5xx + ALB 5xx) in 2 of 3 minutes. Rolls back an instance refresh in flight."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_per_minute
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "errors"
    expression  = "FILL(target, 0) + FILL(elb, 0)"
    label       = "5xx per minute"
    return_data = true
  }

  metric_query {
    id = "target"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "rollout_unhealthy_hosts" {
  alarm_name          = "${var.app_name}-rollout-unhealthy-hosts"
  alarm_description   = "A target failed the ALB's health check (${var.health_check_path}) for 3 minutes. Rolls back an instance refresh in flight."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = local.tg_dimensions
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# --- the other alarms -------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  alarm_name          = "${var.app_name}-p99-latency"
  alarm_description   = "p99 target response time above ${var.alarm_p99_seconds} s for 5 of 5 minutes (long live-event streams count too: terraform/README.md)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alb_dimensions
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_p99_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "no_healthy_hosts" {
  alarm_name          = "${var.app_name}-no-healthy-hosts"
  alarm_description   = "Fewer healthy targets than var.min_instances for 5 minutes (a zone or the whole app is down)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = local.tg_dimensions
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "LessThanThreshold"
  threshold           = local.instances
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# DynamoDB throttles, per table and per GSI (an on-demand table still
# throttles a hot partition: 3,000 reads / 1,000 writes a second each).
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each            = local.dynamo_targets
  alarm_name          = "${var.app_name}-throttles-${replace(each.key, "/", "-")}"
  alarm_description   = "DynamoDB throttled reads or writes on ${each.key} (3 of 5 minutes)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "throttles"
    expression  = "FILL(r, 0) + FILL(w, 0)"
    label       = "throttle events"
    return_data = true
  }

  metric_query {
    id = "r"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = each.value.index == "" ? { TableName = each.value.table } : { TableName = each.value.table, GlobalSecondaryIndexName = each.value.index }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "w"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = each.value.index == "" ? { TableName = each.value.table } : { TableName = each.value.table, GlobalSecondaryIndexName = each.value.index }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${var.app_name}-lambda-errors"
  alarm_description   = "The post-confirmation trigger failed (users are provisioned lazily at first login instead; look at its log group)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.post_confirmation.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# SES reputation (account-wide): AWS reviews an account at a 5 % bounce or
# 0.1 % complaint rate and may pause sending at 10 % / 0.5 %.
resource "aws_cloudwatch_metric_alarm" "ses_bounces" {
  alarm_name          = "${var.app_name}-ses-bounce-rate"
  alarm_description   = "SES bounce rate above 4 % (AWS reviews the account at 5 %): sign-ups with bad addresses, or abuse."
  namespace           = "AWS/SES"
  metric_name         = "Reputation.BounceRate"
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.04
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "ses_complaints" {
  alarm_name          = "${var.app_name}-ses-complaint-rate"
  alarm_description   = "SES complaint rate above 0.08 % (AWS reviews the account at 0.1 %)."
  namespace           = "AWS/SES"
  metric_name         = "Reputation.ComplaintRate"
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.0008
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# SNS delivery failures over every topic of the account (the per-user
# topics are made at run time, so no fixed dimension names them): a Metrics
# Insights query, summed.
resource "aws_cloudwatch_metric_alarm" "sns_delivery_failures" {
  alarm_name          = "${var.app_name}-sns-delivery-failures"
  alarm_description   = "SNS notifications failed to deliver (all topics of the account: the per-user topics ${var.app_name}-user-*), more than 10 in 15 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 10
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "failed"
    expression  = "SELECT SUM(NumberOfNotificationsFailed) FROM SCHEMA(\"AWS/SNS\", TopicName)"
    period      = 900
    label       = "notifications failed"
    return_data = true
  }
}

resource "aws_cloudwatch_metric_alarm" "valkey_memory" {
  for_each            = toset(local.valkey_nodes)
  alarm_name          = "${var.app_name}-valkey-memory-${each.key}"
  alarm_description   = "Valkey node ${each.key} uses more than 80 % of its memory: evictions drop rate-limit buckets and live events (a bigger var.valkey_node_type)."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# KMS: the account's shared quota of symmetric cryptographic requests a
# second (GenerateDataKey, Decrypt, Encrypt: every send, open and page of
# previews). Throttling starts at 100 %: alarm at 80 % of the quota, from
# the AWS/Usage metric and the quota Service Quotas reports.
resource "aws_cloudwatch_metric_alarm" "kms_throttling" {
  alarm_name          = "${var.app_name}-kms-request-quota"
  alarm_description   = "KMS symmetric cryptographic requests above 80 % of the account's per-second quota (beyond it KMS throttles sends and opens): request a quota increase."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "pct"
    expression  = "(calls / 60) / SERVICE_QUOTA(calls) * 100"
    label       = "% of the KMS request quota"
    return_data = true
  }

  metric_query {
    id = "calls"

    metric {
      namespace   = "AWS/Usage"
      metric_name = "CallCount"
      period      = 60
      stat        = "Sum"
      dimensions = {
        Service  = "KMS"
        Type     = "API"
        Resource = "CryptographicOperationsSymmetric"
        Class    = "None"
      }
    }
  }
}

# The app's own errors, from its JSON log lines (IMAGEAPP_LOG_FORMAT=json:
# slog's {"time":...,"level":"ERROR","msg":...}).
resource "aws_cloudwatch_log_metric_filter" "app_errors" {
  name           = "${var.app_name}-app-errors"
  log_group_name = aws_cloudwatch_log_group.app.name
  pattern        = "{ $.level = \"ERROR\" }"

  metric_transformation {
    name          = "AppErrorLogLines"
    namespace     = "${var.app_name}/app"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "app_errors" {
  alarm_name          = "${var.app_name}-app-error-logs"
  alarm_description   = "The app logged more than 20 ERROR lines in 5 minutes (Logs Insights: the saved query ${var.app_name}/errors)."
  namespace           = "${var.app_name}/app"
  metric_name         = aws_cloudwatch_log_metric_filter.app_errors.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 20
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_query_definition" "errors" {
  name            = "${var.app_name}/errors"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    fields @timestamp, level, msg, @logStream
    | filter level = "ERROR" or level = "WARN"
    | sort @timestamp desc
    | limit 200
  EOT
}

# --- dashboard --------------------------------------------------------------------

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = var.app_name
  dashboard_body = jsonencode({
    widgets = [
      { type = "metric", x = 0, y = 0, width = 12, height = 6, properties = {
        title = "Requests and server errors", region = var.region, stat = "Sum", period = 60,
        metrics = [
          ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", aws_lb.app.arn_suffix],
          [".", "HTTPCode_Target_5XX_Count", ".", "."],
          [".", "HTTPCode_ELB_5XX_Count", ".", "."],
          [".", "HTTPCode_Target_4XX_Count", ".", "."],
        ]
      } },
      { type = "metric", x = 12, y = 0, width = 12, height = 6, properties = {
        title = "Response time (p50, p99)", region = var.region, period = 60,
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", aws_lb.app.arn_suffix, { stat = "p50" }],
          ["...", { stat = "p99" }],
        ]
      } },
      { type = "metric", x = 0, y = 6, width = 8, height = 6, properties = {
        title = "Targets", region = var.region, stat = "Minimum", period = 60,
        metrics = [
          ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", aws_lb_target_group.app.arn_suffix, "LoadBalancer", aws_lb.app.arn_suffix],
          [".", "UnHealthyHostCount", ".", ".", ".", "."],
        ]
      } },
      { type = "metric", x = 8, y = 6, width = 8, height = 6, properties = {
        title   = "DynamoDB capacity used", region = var.region, stat = "Sum", period = 60,
        metrics = [for t in [aws_dynamodb_table.users.name, aws_dynamodb_table.messages.name] : ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t]]
      } },
      { type = "metric", x = 16, y = 6, width = 8, height = 6, properties = {
        title = "Valkey memory % and CPU %", region = var.region, stat = "Maximum", period = 300,
        metrics = concat(
          [for n in local.valkey_nodes : ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", n]],
          [for n in local.valkey_nodes : ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", n]],
        )
      } },
      { type = "metric", x = 0, y = 12, width = 8, height = 6, properties = {
        title = "Post-confirmation trigger", region = var.region, stat = "Sum", period = 300,
        metrics = [
          ["AWS/Lambda", "Invocations", "FunctionName", aws_lambda_function.post_confirmation.function_name],
          [".", "Errors", ".", "."],
          [".", "Throttles", ".", "."],
        ]
      } },
      { type = "metric", x = 8, y = 12, width = 8, height = 6, properties = {
        title   = "SES reputation", region = var.region, stat = "Maximum", period = 3600,
        metrics = [["AWS/SES", "Reputation.BounceRate"], [".", "Reputation.ComplaintRate"]]
      } },
      { type = "metric", x = 16, y = 12, width = 8, height = 6, properties = {
        title   = "KMS symmetric requests / minute", region = var.region, stat = "Sum", period = 60,
        metrics = [["AWS/Usage", "CallCount", "Service", "KMS", "Type", "API", "Resource", "CryptographicOperationsSymmetric", "Class", "None"]]
      } },
      { type = "alarm", x = 0, y = 18, width = 24, height = 4, properties = {
        title  = "Alarms"
        alarms = concat([for a in [aws_cloudwatch_metric_alarm.rollout_5xx, aws_cloudwatch_metric_alarm.rollout_unhealthy_hosts, aws_cloudwatch_metric_alarm.p99_latency, aws_cloudwatch_metric_alarm.lambda_errors, aws_cloudwatch_metric_alarm.app_errors] : a.arn])
      } },
      { type = "log", x = 0, y = 22, width = 24, height = 6, properties = {
        title = "App errors and warnings", region = var.region,
        query = "SOURCE '${aws_cloudwatch_log_group.app.name}' | fields @timestamp, level, msg | filter level = \"ERROR\" or level = \"WARN\" | sort @timestamp desc | limit 50"
      } },
    ]
  })
}

# --- budget -----------------------------------------------------------------------

resource "aws_budgets_budget" "monthly" {
  name         = "${var.app_name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [aws_sns_topic.alarms.arn]
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 100
    threshold_type            = "PERCENTAGE"
    notification_type         = "FORECASTED"
    subscriber_sns_topic_arns = [aws_sns_topic.alarms.arn]
  }

  depends_on = [aws_sns_topic_policy.alarms]
}

# --- access logs: the ALB's and CloudFront's buckets ---------------------------------

# One bucket per log writer, both hardened alike: public access blocked,
# SSE-S3 (ALB access logs support SSE-S3 only, not SSE-KMS), TLS only,
# incomplete uploads aborted after a day, logs expired after lb_log_days.
# The key is in the bucket's name (<app>-<key>-logs-...); what differs:
#
#  - "lb", the ALB's access logs (lb.tf, prefix alb/): written by the ELB
#    service, in Regions from before August 2022 as the Region's ELB account,
#    in newer ones as the log-delivery service principal; the bucket policy
#    admits both (lb_log_delivery), only under the alb/ prefix of this
#    account. ACLs disabled (BucketOwnerEnforced).
#  - "cdn", CloudFront's standard logs (no domain: CloudFront in front;
#    legacy logging, the distribution's logging_config, prefix cloudfront/):
#    written by the awslogsdelivery account through the bucket's ACL, so this
#    bucket has ACLs enabled (BucketOwnerPreferred: the log objects are the
#    bucket owner's) and grants that account FULL_CONTROL
#    (aws_s3_bucket_acl.cdn_logs). One line per viewer request, with the
#    viewer's address and what CloudFront answered itself (edge errors,
#    origin timeouts), which the ALB's log cannot show. Cookies are not
#    logged (the session cookie is one). With a domain there is no
#    CloudFront: the bucket is made all the same and stays empty (no
#    condition on it, so that .ci/infra's per-bucket checks see it as every
#    other bucket).
resource "aws_s3_bucket" "logs" {
  for_each      = toset(["lb", "cdn"])
  bucket_prefix = "${var.app_name}-${each.key}-logs-"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id

  rule {
    # ACLs only where the writer needs them: CloudFront's log delivery.
    object_ownership = each.key == "cdn" ? "BucketOwnerPreferred" : "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.lb_log_days
    }
  }
}

data "aws_iam_policy_document" "logs_bucket" {
  for_each = aws_s3_bucket.logs

  # The ALB's log delivery writes by the bucket policy (its statements come
  # first); CloudFront's writes through the ACL.
  source_policy_documents = each.key == "lb" ? [data.aws_iam_policy_document.lb_log_delivery.json] : []

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.logs_bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.logs]
}

# The ALB's writers, in the "lb" bucket's policy.
data "aws_elb_service_account" "current" {}

data "aws_iam_policy_document" "lb_log_delivery" {
  statement {
    sid       = "ELBAccountWritesLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs["lb"].arn}/alb/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "LogDeliveryWritesLogs"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs["lb"].arn}/alb/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

# CloudFront's writer, in the "cdn" bucket's ACL: the owner and the
# awslogsdelivery account, FULL_CONTROL each.
data "aws_canonical_user_id" "current" {}

data "aws_cloudfront_log_delivery_canonical_user_id" "current" {}

resource "aws_s3_bucket_acl" "cdn_logs" {
  bucket = aws_s3_bucket.logs["cdn"].id

  access_control_policy {
    owner {
      id = data.aws_canonical_user_id.current.id
    }

    grant {
      grantee {
        id   = data.aws_canonical_user_id.current.id
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }

    grant {
      grantee {
        id   = data.aws_cloudfront_log_delivery_canonical_user_id.current.id
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }
  }

  depends_on = [aws_s3_bucket_ownership_controls.logs]
}

# Each log bucket and its settings were resources of their own (lb_logs,
# cdn_logs) before they shared one shape: a deployment made then plans these
# as moves, not as a new bucket and the old one (and its logs) destroyed.
moved {
  from = aws_s3_bucket.lb_logs
  to   = aws_s3_bucket.logs["lb"]
}

moved {
  from = aws_s3_bucket.cdn_logs
  to   = aws_s3_bucket.logs["cdn"]
}

moved {
  from = aws_s3_bucket_public_access_block.lb_logs
  to   = aws_s3_bucket_public_access_block.logs["lb"]
}

moved {
  from = aws_s3_bucket_public_access_block.cdn_logs
  to   = aws_s3_bucket_public_access_block.logs["cdn"]
}

moved {
  from = aws_s3_bucket_ownership_controls.lb_logs
  to   = aws_s3_bucket_ownership_controls.logs["lb"]
}

moved {
  from = aws_s3_bucket_ownership_controls.cdn_logs
  to   = aws_s3_bucket_ownership_controls.logs["cdn"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.lb_logs
  to   = aws_s3_bucket_server_side_encryption_configuration.logs["lb"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.cdn_logs
  to   = aws_s3_bucket_server_side_encryption_configuration.logs["cdn"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.lb_logs
  to   = aws_s3_bucket_lifecycle_configuration.logs["lb"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.cdn_logs
  to   = aws_s3_bucket_lifecycle_configuration.logs["cdn"]
}

moved {
  from = aws_s3_bucket_policy.lb_logs
  to   = aws_s3_bucket_policy.logs["lb"]
}

moved {
  from = aws_s3_bucket_policy.cdn_logs
  to   = aws_s3_bucket_policy.logs["cdn"]
}
