# The app: an Auto Scaling group of arm64 instances in the private subnets
# of both zones, from one launch template, behind the ALB (lb.tf). Each
# instance runs the image Jenkins pushed to ECR, by the tag its launch
# template version carries (the instance tag image-tag), with the small
# production compose file (compose.prod.yml); it never builds. Nothing that
# must survive lives on an instance: users, messages and cookie keys are in
# DynamoDB, blobs in S3, limits and live events in Valkey. So instances are
# replaced, never repaired: no SSH, no key pair; their logs go to
# CloudWatch, their boot to the console output.
#
# A new version (or a rollback) is a new launch template version plus an
# instance refresh with checkpoints, alarms and auto-rollback
# (terraform/deploy/rollout.sh, run by Jenkins; terraform/README.md).

locals {
  app_port = 3000 # IMAGEAPP_ADDR in the container, published as is; the ALB's target port

  # The group runs no instance until the first image exists (var.image_tag).
  instances = var.image_tag == "" ? 0 : var.min_instances

  # The app's environment (dotenv), every value but the client secret, which
  # the instance appends at boot from SSM (see user_data.sh.tftpl).
  app_env = <<-EOT
    IMAGEAPP_BACKEND=aws
    IMAGEAPP_ADDR=:${local.app_port}
    IMAGEAPP_DATA_DIR=/data
    IMAGEAPP_APP_NAME=${var.app_name}
    IMAGEAPP_BASE_URL=${local.base_url}
    IMAGEAPP_TRUSTED_PROXIES=${join(",", local.lb_subnet_cidrs)}
    IMAGEAPP_VALKEY_URL=rediss://${local.valkey_user}@${aws_elasticache_replication_group.shared.primary_endpoint_address}:${local.valkey_port}
    IMAGEAPP_MAX_UPLOAD_BYTES=${var.max_upload_bytes}
    IMAGEAPP_COGNITO_USER_POOL_ID=${aws_cognito_user_pool.users.id}
    IMAGEAPP_COGNITO_CLIENT_ID=${aws_cognito_user_pool_client.web.id}
    IMAGEAPP_USERS_TABLE=${aws_dynamodb_table.users.name}
    IMAGEAPP_MESSAGES_TABLE=${aws_dynamodb_table.messages.name}
    IMAGEAPP_BUCKET=${aws_s3_bucket.blobs.id}
    IMAGEAPP_APP_KEY_ID=${aws_kms_key.app.arn}
    IMAGEAPP_APP_ROLE_ARN=${aws_iam_role.app.arn}
    IMAGEAPP_KEY_MODE=${var.key_mode}
    IMAGEAPP_ROOT_KEY_ID=${aws_kms_key.root.arn}
    ${local.mail_env}
    IMAGEAPP_LOG_FORMAT=${var.app_log_format}
    IMAGEAPP_METRICS=emf
    AWS_REGION=${var.region}
  EOT

  # The image tag a launch template version runs: an instance tag of the
  # version (read at boot through IMDS), so a rollback to the previous
  # version brings the previous image back with it. Terraform sets the
  # first one; Jenkins makes every later version (terraform/deploy/rollout.sh).
  image_tag_key = "image-tag"
  first_tag     = var.image_tag == "" ? "none" : var.image_tag
}

# Ubuntu 24.04 LTS (arm64), pinned by ID (var.ami_id): its archive has
# docker.io, docker-compose-v2 and python3-boto3, so nothing is downloaded
# outside the distribution's packages and the image registry. Pinned, not
# "most recent": a new Ubuntu build must not roll the fleet (or cancel a
# rollout in flight) on an unrelated apply. Bump it on purpose; the change
# rolls out like a release (checkpoints, alarms, rollback).
data "aws_ami" "ubuntu" {
  owners = ["099720109477"] # Canonical

  filter {
    name   = "image-id"
    values = [var.ami_id]
  }
}

resource "aws_security_group" "app" {
  name_prefix = "${var.app_name}-app-"
  description = "${var.app_name}: the app instances; the app port from the load balancer only"
  vpc_id      = aws_vpc.main.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_lb" {
  security_group_id            = aws_security_group.app.id
  description                  = "The app (container port 3000) from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = local.app_port
  to_port                      = local.app_port
  referenced_security_group_id = aws_security_group.lb.id
}

# Outbound: HTTPS (AWS APIs, ECR) and HTTP (Ubuntu's package mirrors) through
# the zone's NAT gateway, and Valkey. DNS, NTP and instance metadata are not
# filtered by security groups.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS out (AWS APIs, ECR)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_http" {
  security_group_id = aws_security_group.app.id
  description       = "HTTP out (Ubuntu's package mirrors, signed packages)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_valkey" {
  security_group_id            = aws_security_group.app.id
  description                  = "The shared Valkey store"
  ip_protocol                  = "tcp"
  from_port                    = local.valkey_port
  to_port                      = local.valkey_port
  referenced_security_group_id = aws_security_group.valkey.id
}

# The containers' logs (docker's awslogs driver, with the instance role).
resource "aws_cloudwatch_log_group" "app" {
  name              = "/${var.app_name}/app"
  retention_in_days = var.log_retention_days
}

resource "aws_launch_template" "app" {
  name_prefix            = "${var.app_name}-app-"
  description            = "${var.app_name}: Ubuntu arm64 running the image named by the instance tag image-tag"
  image_id               = data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.app.id]
  update_default_version = true

  iam_instance_profile {
    name = aws_iam_instance_profile.app.name
  }

  # IMDSv2 only. Hop limit 2: the container (one network hop further, on
  # Docker's bridge) fetches the role's credentials through IMDS too.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "enabled" # the boot script reads the image-tag tag
  }

  block_device_mappings {
    device_name = data.aws_ami.ubuntu.root_device_name

    ebs {
      encrypted             = true
      volume_type           = "gp3"
      volume_size           = 16
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  # No secret in here: the client secret and the Valkey password are read
  # from SSM at boot, the image tag from this version's instance tag.
  # Compressed: cloud-init unpacks it (the production compose file is in it).
  user_data = base64gzip(templatefile("${path.module}/user_data.sh.tftpl", {
    region                    = var.region
    app_env                   = local.app_env
    compose_file              = file("${path.module}/compose.prod.yml")
    secret_parameter          = aws_ssm_parameter.cognito_client_secret.name
    valkey_password_parameter = aws_ssm_parameter.valkey_password.name
    valkey_user               = local.valkey_user
    image_tag_key             = local.image_tag_key
    repository_url            = aws_ecr_repository.app.repository_url
    log_group                 = aws_cloudwatch_log_group.app.name
    publish_port              = local.app_port
  }))

  tag_specifications {
    resource_type = "instance"

    tags = {
      Name                  = "${var.app_name}-app"
      (local.image_tag_key) = local.first_tag
    }
  }

  tag_specifications {
    resource_type = "volume"

    tags = {
      Name = "${var.app_name}-app"
    }
  }

  # Jenkins owns the image tag after the first apply: it makes a new version
  # with the new tag for every release. A later apply (an AMI bump, say)
  # copies the tag Terraform last read instead of putting var.image_tag back.
  lifecycle {
    ignore_changes = [tag_specifications]

    precondition {
      condition     = data.aws_ami.ubuntu.architecture == "arm64"
      error_message = "ami_id must be an arm64 AMI (the instance types and the image are Graviton)."
    }
  }
}

resource "aws_autoscaling_group" "app" {
  name                      = "${var.app_name}-app"
  min_size                  = local.instances
  desired_capacity          = local.instances
  max_size                  = var.max_instances
  vpc_zone_identifier       = aws_subnet.private[*].id
  target_group_arns         = [aws_lb_target_group.app.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  default_instance_warmup   = 120

  # The default version: Terraform's newest, or the one Jenkins promoted
  # after its rollout and smoke test (never a version still being tried).
  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.default_version
  }

  # Replacements start new instances before stopping old ones.
  instance_maintenance_policy {
    min_healthy_percentage = 100
    max_healthy_percentage = 200
  }

  # A new launch template version rolls out in steps (var.rollout_checkpoints,
  # 10 % / 50 % / 100 % by default), waits at each while the rollout alarms
  # watch, and rolls back by itself, to the previous version and so the
  # previous image, when an alarm fires or new instances stay unhealthy.
  # Jenkins starts its refreshes with the same preferences (outputs
  # rollout_preferences_json).
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
      instance_warmup        = "120"
      checkpoint_percentages = var.rollout_checkpoints
      checkpoint_delay       = tostring(var.checkpoint_delay_seconds)
      skip_matching          = false
      auto_rollback          = true

      alarm_specification {
        alarms = local.rollout_alarms
      }
    }
  }

  tag {
    key                 = "Name"
    value               = "${var.app_name}-app"
    propagate_at_launch = true
  }

  lifecycle {
    precondition {
      condition     = var.max_instances >= 2 * var.min_instances
      error_message = "max_instances must be at least twice min_instances: a refresh starts the new instances before it stops the old ones."
    }
  }

  # The role's policy must be in place before the boot script reads SSM.
  depends_on = [aws_iam_role_policy.instance, aws_iam_role_policy.app]
}
