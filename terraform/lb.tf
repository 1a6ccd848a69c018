# HTTPS in front of the instances, one of two ways:
#
#   - var.domain set: an internet-facing ALB in the public subnets with an
#     ACM certificate for the domain, a modern TLS policy (TLS 1.3 and 1.2
#     with forward-secret AEAD ciphers only) and port 80 answering only with
#     a redirect to HTTPS;
#   - no domain: CloudFront with its default *.cloudfront.net certificate,
#     redirecting HTTP to HTTPS, in front of an internal ALB in the private
#     subnets that only CloudFront reaches (a VPC origin: the ALB has no
#     public address at all).
#
# Either way the instances accept connections only from the ALB's security
# group, IMAGEAPP_BASE_URL is the https:// address (Secure __Host- cookies,
# HSTS), and IMAGEAPP_TRUSTED_PROXIES names the ALB's subnets, so the app
# takes the client's address from X-Forwarded-For only when the ALB (or
# CloudFront's origin interfaces, in the same subnets) sent it.

locals {
  alb_https = var.domain != ""

  lb_subnets      = local.alb_https ? aws_subnet.public : aws_subnet.private
  lb_subnet_cidrs = local.lb_subnets[*].cidr_block

  site_host = local.alb_https ? var.domain : aws_cloudfront_distribution.app[0].domain_name
  base_url  = "https://${local.site_host}"

  # The modern ELB policy: TLS 1.3 + 1.2, ECDHE and AEAD ciphers only.
  tls_policy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

resource "aws_security_group" "lb" {
  name_prefix = "${var.app_name}-lb-"
  description = "${var.app_name}: the load balancer; HTTPS (and the redirect) from the internet, or CloudFront only"
  vpc_id      = aws_vpc.main.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "lb_https" {
  count             = local.alb_https ? 1 : 0
  security_group_id = aws_security_group.lb.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "lb_redirect" {
  count             = local.alb_https ? 1 : 0
  security_group_id = aws_security_group.lb.id
  description       = "HTTP from anywhere, answered only with a redirect to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

# CloudFront's VPC origin reaches the internal ALB from the security group
# CloudFront creates in the VPC with the origin.
data "aws_security_group" "cloudfront_vpc_origins" {
  count  = local.alb_https ? 0 : 1
  vpc_id = aws_vpc.main.id
  name   = "CloudFront-VPCOrigins-Service-SG"

  depends_on = [aws_cloudfront_vpc_origin.app]
}

resource "aws_vpc_security_group_ingress_rule" "lb_from_cloudfront" {
  count                        = local.alb_https ? 0 : 1
  security_group_id            = aws_security_group.lb.id
  description                  = "HTTP from CloudFront's VPC origin only (TLS ends at CloudFront)"
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  referenced_security_group_id = data.aws_security_group.cloudfront_vpc_origins[0].id
}

resource "aws_vpc_security_group_egress_rule" "lb_to_app" {
  security_group_id            = aws_security_group.lb.id
  description                  = "To the app instances (requests and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_lb" "app" {
  name                       = "${var.app_name}-app"
  internal                   = !local.alb_https
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.lb.id]
  subnets                    = local.lb_subnets[*].id
  drop_invalid_header_fields = true
  idle_timeout               = 120 # live inbox streams (server-sent events) stay open

  # One line per request to the log bucket (monitoring.tf), kept var.lb_log_days.
  access_logs {
    bucket  = aws_s3_bucket.logs["lb"].id
    prefix  = "alb"
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "app" {
  name                 = "${var.app_name}-app"
  port                 = local.app_port
  protocol             = "HTTP"
  vpc_id               = aws_vpc.main.id
  target_type          = "instance"
  deregistration_delay = 75 # the app finishes in-flight sends before it stops

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# --- with a domain: ACM on the ALB ------------------------------------------

resource "aws_acm_certificate" "app" {
  count             = local.alb_https ? 1 : 0
  domain_name       = var.domain
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "acm_validation" {
  for_each = local.alb_https && var.route53_zone_id != "" ? {
    for o in aws_acm_certificate.app[0].domain_validation_options : o.domain_name => o
  } : {}
  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# Waits until the certificate is issued: with route53_zone_id Terraform
# wrote the records; without, create them from the output
# acm_validation_records while this waits (README).
resource "aws_acm_certificate_validation" "app" {
  count                   = local.alb_https ? 1 : 0
  certificate_arn         = aws_acm_certificate.app[0].arn
  validation_record_fqdns = var.route53_zone_id == "" ? null : [for r in aws_route53_record.acm_validation : r.fqdn]
}

resource "aws_lb_listener" "https" {
  count             = local.alb_https ? 1 : 0
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = local.tls_policy
  certificate_arn   = aws_acm_certificate_validation.app[0].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "redirect" {
  count             = local.alb_https ? 1 : 0
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_route53_record" "site" {
  count   = local.alb_https && var.route53_zone_id != "" ? 1 : 0
  zone_id = var.route53_zone_id
  name    = var.domain
  type    = "A"

  alias {
    name                   = aws_lb.app.dns_name
    zone_id                = aws_lb.app.zone_id
    evaluate_target_health = true
  }
}

# --- without a domain: CloudFront in front of the internal ALB --------------

# CloudFront to the ALB is plain HTTP over the VPC origin's private path;
# viewers only ever speak HTTPS to CloudFront.
resource "aws_lb_listener" "from_cloudfront" {
  count             = local.alb_https ? 0 : 1
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_cloudfront_vpc_origin" "app" {
  count = local.alb_https ? 0 : 1

  vpc_origin_endpoint_config {
    name                   = "${var.app_name}-app"
    arn                    = aws_lb.app.arn
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "http-only"

    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

# AWS managed policies: nothing is cached (every page is per person), and
# every viewer header, cookie and query string reaches the app (Host too,
# so the app's cross-origin check compares like with like).
data "aws_cloudfront_cache_policy" "disabled" {
  count = local.alb_https ? 0 : 1
  name  = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer" {
  count = local.alb_https ? 0 : 1
  name  = "Managed-AllViewer"
}

resource "aws_cloudfront_distribution" "app" {
  count           = local.alb_https ? 0 : 1
  enabled         = true
  comment         = "${var.app_name}: HTTPS in front of the internal ALB"
  http_version    = "http2and3"
  is_ipv6_enabled = true
  price_class     = "PriceClass_100"

  origin {
    origin_id   = "alb"
    domain_name = aws_lb.app.dns_name

    vpc_origin_config {
      vpc_origin_id       = aws_cloudfront_vpc_origin.app[0].id
      origin_read_timeout = 60
    }
  }

  default_cache_behavior {
    target_origin_id         = "alb"
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = data.aws_cloudfront_cache_policy.disabled[0].id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer[0].id
    compress                 = false # the app compresses what is worth it
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # The default certificate only: *.cloudfront.net, whose minimum TLS
  # version CloudFront fixes (TLS 1.0 is still accepted from viewers). A
  # domain of your own gets the ALB's modern policy instead.
  viewer_certificate {
    cloudfront_default_certificate = true
  }

  # Standard logs, one line per viewer request, to the CloudFront log bucket
  # (monitoring.tf) under cloudfront/, kept var.lb_log_days; no cookies.
  logging_config {
    bucket          = aws_s3_bucket.logs["cdn"].bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  depends_on = [aws_s3_bucket_acl.cdn_logs]
}
