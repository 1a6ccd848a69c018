# The cluster's shared store (IMAGEAPP_VALKEY_URL): abuse limits, live
# events and the sweep lease, the same for every instance. ElastiCache for
# Valkey, a primary and a replica in the two zones with automatic failover,
# TLS in transit (rediss://), encrypted at rest, reachable only from the
# app's security group. It holds nothing that must survive: losing it
# resets rate-limit buckets and drops live updates (pages still refresh).

locals {
  valkey_port = 6379
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
  at_rest_encryption_enabled  = true
  auto_minor_version_upgrade  = true
  snapshot_retention_limit    = 0 # nothing in it must survive
  apply_immediately           = false
}
