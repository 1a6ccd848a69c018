# An optional WAF web ACL on the ALB (var.waf_enabled, on by default: every
# fake sign-up costs money, and the app's own limits sit behind the ALB, in
# Valkey). AWS managed rules (common attacks, known bad inputs, addresses
# with a bad reputation) and per-address rate limits on the routes that
# create accounts, mail codes or try passwords: /signup, /login, /verify,
# /forgot and their /api/ twins.
#
# The client's address: with a domain the ALB faces the internet and WAF
# sees the client. Behind CloudFront (no domain) the ALB only sees
# CloudFront, so the rate rules key on the first X-Forwarded-For address,
# which a client can forge (terraform/README.md); a CLOUDFRONT-scoped web
# ACL in us-east-1 would see the real address.

locals {
  waf_rate_paths = ["/signup", "/login", "/verify", "/forgot", "/api/signup", "/api/login", "/api/verify", "/api/forgot"]

  waf_managed_groups = {
    "AWSManagedRulesAmazonIpReputationList" = { priority = 10, overrides = [] }
    "AWSManagedRulesKnownBadInputsRuleSet"  = { priority = 20, overrides = [] }
    # Image uploads are large multipart bodies: the body size and
    # body-XSS rules would block them, so they only count.
    "AWSManagedRulesCommonRuleSet" = { priority = 30, overrides = ["SizeRestrictions_BODY", "CrossSiteScripting_BODY"] }
  }
}

resource "aws_wafv2_web_acl" "app" {
  count       = var.waf_enabled ? 1 : 0
  name        = "${var.app_name}-app"
  description = "${var.app_name}: managed rules and rate limits on sign-up, login, verify and reset"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  # Rate limits first: an address over the limit on the account routes is
  # blocked there (429) for as long as it stays over.
  rule {
    name     = "rate-account-routes"
    priority = 1

    action {
      block {
        custom_response {
          response_code = 429
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.waf_rate_limit
        evaluation_window_sec = 300
        aggregate_key_type    = local.alb_https ? "IP" : "FORWARDED_IP"

        dynamic "forwarded_ip_config" {
          for_each = local.alb_https ? [] : [1]
          content {
            header_name       = "X-Forwarded-For"
            fallback_behavior = "MATCH"
          }
        }

        scope_down_statement {
          or_statement {
            dynamic "statement" {
              for_each = local.waf_rate_paths
              content {
                byte_match_statement {
                  search_string         = statement.value
                  positional_constraint = "STARTS_WITH"

                  field_to_match {
                    uri_path {}
                  }

                  text_transformation {
                    priority = 0
                    type     = "LOWERCASE"
                  }
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.app_name}-rate-account-routes"
      sampled_requests_enabled   = true
    }
  }

  # A looser limit on everything, against floods from one address.
  rule {
    name     = "rate-everything"
    priority = 2

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.waf_rate_limit * 50
        evaluation_window_sec = 300
        aggregate_key_type    = local.alb_https ? "IP" : "FORWARDED_IP"

        dynamic "forwarded_ip_config" {
          for_each = local.alb_https ? [] : [1]
          content {
            header_name       = "X-Forwarded-For"
            fallback_behavior = "MATCH"
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.app_name}-rate-everything"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = local.waf_managed_groups
    content {
      name     = rule.key
      priority = rule.value.priority

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key

          dynamic "rule_action_override" {
            for_each = rule.value.overrides
            content {
              name = rule_action_override.value
              action_to_use {
                count {}
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.app_name}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.app_name}-app"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "app" {
  count        = var.waf_enabled ? 1 : 0
  resource_arn = aws_lb.app.arn
  web_acl_arn  = aws_wafv2_web_acl.app[0].arn
}
