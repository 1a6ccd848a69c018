# The two access-log buckets at their addresses before monitoring.tf gave them
# one shape (aws_s3_bucket.logs["lb"] and ["cdn"]): moved.tftest.hcl applies
# this with a mock provider, as a deployment made then, and plans the
# configuration against its state. Only the addresses matter here.

resource "aws_s3_bucket" "lb_logs" {
  bucket_prefix = "imageapp-lb-logs-"
}

resource "aws_s3_bucket" "cdn_logs" {
  bucket_prefix = "imageapp-cdn-logs-"
}

resource "aws_s3_bucket_public_access_block" "lb_logs" {
  bucket = aws_s3_bucket.lb_logs.id
}

resource "aws_s3_bucket_public_access_block" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
}

resource "aws_s3_bucket_ownership_controls" "lb_logs" {
  bucket = aws_s3_bucket.lb_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  acl    = "private"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lb_logs" {
  bucket = aws_s3_bucket.lb_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "lb_logs" {
  bucket = aws_s3_bucket.lb_logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
  }
}

resource "aws_s3_bucket_policy" "lb_logs" {
  bucket = aws_s3_bucket.lb_logs.id
  policy = "{}"
}

resource "aws_s3_bucket_policy" "cdn_logs" {
  bucket = aws_s3_bucket.cdn_logs.id
  policy = "{}"
}

# What each resource's ID was (a computed attribute, unknown in a plan that
# makes the resource anew), to compare with the plan at the new addresses.
output "ids" {
  value = {
    bucket = { lb = aws_s3_bucket.lb_logs.id, cdn = aws_s3_bucket.cdn_logs.id }
    pab    = { lb = aws_s3_bucket_public_access_block.lb_logs.id, cdn = aws_s3_bucket_public_access_block.cdn_logs.id }
    own    = { lb = aws_s3_bucket_ownership_controls.lb_logs.id, cdn = aws_s3_bucket_ownership_controls.cdn_logs.id }
    sse    = { lb = aws_s3_bucket_server_side_encryption_configuration.lb_logs.id, cdn = aws_s3_bucket_server_side_encryption_configuration.cdn_logs.id }
    # The lifecycle configuration's id is deprecated: another computed attribute.
    life   = { lb = aws_s3_bucket_lifecycle_configuration.lb_logs.transition_default_minimum_object_size, cdn = aws_s3_bucket_lifecycle_configuration.cdn_logs.transition_default_minimum_object_size }
    policy = { lb = aws_s3_bucket_policy.lb_logs.id, cdn = aws_s3_bucket_policy.cdn_logs.id }
    acl    = aws_s3_bucket_acl.cdn_logs.id
  }
}
