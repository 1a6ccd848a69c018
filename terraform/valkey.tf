# The cluster's shared store (IMAGEAPP_VALKEY_URL): abuse limits, live
# events and the sweep lease, the same for every instance. ElastiCache for
# Valkey, a primary and a replica in the two zones with automatic failover,
# TLS in transit (rediss://), encrypted at rest, reachable only from the
# app's security group, and only with a password (RBAC: an ElastiCache user
# group whose only enabled user is the app's). It holds nothing that must
# survive: losing it resets rate-limit buckets and drops live updates (pages
# still refresh).

locals {
  valkey_port = 6379
  valkey_user = "${var.app_name}-app"
}

# The app user's password: 40 letters and digits from Secrets Manager's
# generator, written once to a SecureString parameter (the instances read it
# at boot: user_data.sh.tftpl) and to the ElastiCache user. Both ignore later
# reads of the generator, which answers anew on every plan. The password is
# in Terraform's state (like the Cognito client secret: keep state in an
# encrypted, access-controlled backend), never in user data or the repository.
# Rotation: terraform/README.md.
data "aws_secretsmanager_random_password" "valkey" {
  password_length     = 40
  exclude_punctuation = true
  include_space       = false
}

resource "aws_ssm_parameter" "valkey_password" {
  name        = "/${var.app_name}/valkey/password"
  description = "The password of the ElastiCache user ${local.valkey_user} (IMAGEAPP_VALKEY_PASSWORD, and in IMAGEAPP_VALKEY_URL)"
  type        = "SecureString"
  value       = data.aws_secretsmanager_random_password.valkey.random_password

  lifecycle {
    ignore_changes = [value]
  }
}

# The app's user: every command but the dangerous ones (FLUSHALL, KEYS,
# CONFIG, DEBUG, ...), only on keys under the app's prefix (the app names
# every key <app_name>:...; app/valkey), every channel. app/valkey's
# acl_test.go reads this string and runs every operation of the app's client
# (limits, leases, live events, readiness) as a user with exactly it on a
# real server, the default user off: change it only with that test green.
resource "aws_elasticache_user" "app" {
  user_id       = local.valkey_user
  user_name     = local.valkey_user
  engine        = "valkey"
  access_string = "on ~${var.app_name}:* &* +@all -@dangerous"

  authentication_mode {
    type      = "password"
    passwords = [data.aws_secretsmanager_random_password.valkey.random_password]
  }

  lifecycle {
    ignore_changes = [authentication_mode]
  }
}

# ElastiCache requires a user named "default" in every group: here it is
# switched off, so a connection without the app's password can do nothing.
resource "aws_elasticache_user" "default_off" {
  user_id       = "${var.app_name}-default-off"
  user_name     = "default"
  engine        = "valkey"
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user_group" "app" {
  user_group_id = "${var.app_name}-shared"
  engine        = "valkey"
  user_ids      = [aws_elasticache_user.default_off.user_id, aws_elasticache_user.app.user_id]
}

resource "aws_elasticache_subnet_group" "shared" {
  name       = "${var.app_name}-shared"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_security_group" "valkey" {
  name_prefix = "${var.app_name}-valkey-"
  description = "${var.app_name}: the shared Valkey store; the app instances only"
  vpc_id      = aws_vpc.main.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "valkey_from_app" {
  security_group_id            = aws_security_group.valkey.id
  description                  = "Valkey (TLS) from the app instances only"
  ip_protocol                  = "tcp"
  from_port                    = local.valkey_port
  to_port                      = local.valkey_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_elasticache_replication_group" "shared" {
  replication_group_id        = "${var.app_name}-shared"
  description                 = "${var.app_name}: abuse limits, live events, leases"
  engine                      = "valkey"
  engine_version              = "8.0"
  parameter_group_name        = "default.valkey8"
  node_type                   = var.valkey_node_type
  port                        = local.valkey_port
  num_cache_clusters          = 2
  preferred_cache_cluster_azs = local.zones
  automatic_failover_enabled  = true
  multi_az_enabled            = true
  subnet_group_name           = aws_elasticache_subnet_group.shared.name
  security_group_ids          = [aws_security_group.valkey.id]
  transit_encryption_enabled  = true
  user_group_ids              = [aws_elasticache_user_group.app.user_group_id]
  at_rest_encryption_enabled  = true
  auto_minor_version_upgrade  = true
  snapshot_retention_limit    = 0 # nothing in it must survive
  apply_immediately           = false
}
