# Images by tag. Jenkins builds linux/arm64, tags it with the commit SHA and
# pushes it here (tags are immutable: a SHA always names the same image),
# then writes the tag to the SSM parameter image_tag and starts an instance
# refresh; every new instance pulls the tag the parameter names at boot.
# Rolling back is writing an older tag and refreshing again (README): the
# repository keeps the newest var.image_keep_count images.

resource "aws_ecr_repository" "app" {
  name                 = var.app_name
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.image_keep_count} images (the tags you can roll back to)"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.image_keep_count
      }
      action = { type = "expire" }
    }]
  })
}

# The tag the instances run. Terraform creates it with var.image_tag (or
# "none" before the first image) and then leaves it to Jenkins: a later
# apply never rolls a deployment back.
resource "aws_ssm_parameter" "image_tag" {
  name        = "/${var.app_name}/image-tag"
  description = "The image tag (commit SHA) of ${aws_ecr_repository.app.repository_url} the ${var.app_name} instances run"
  type        = "String"
  value       = var.image_tag == "" ? "none" : var.image_tag

  lifecycle {
    ignore_changes = [value]
  }
}

# What the Jenkins agent's role may do, and nothing else: push to this
# repository, read and write the tag parameter, start (and watch) an
# instance refresh of this group. Attach it to the agent's role (README);
# the agent logs in to ECR with `aws ecr get-login-password`, never a
# stored registry password.
data "aws_iam_policy_document" "deploy" {
  # Registry login: GetAuthorizationToken acts on the registry, not a
  # repository, so AWS only accepts "*" (whitelisted in .ci/infra).
  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }

  statement {
    sid    = "PushImages"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage",
    ]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "ImageTag"
    effect    = "Allow"
    actions   = ["ssm:GetParameter", "ssm:PutParameter"]
    resources = [aws_ssm_parameter.image_tag.arn]
  }

  statement {
    sid       = "RollOut"
    effect    = "Allow"
    actions   = ["autoscaling:StartInstanceRefresh"]
    resources = [aws_autoscaling_group.app.arn]
  }

  # Describe* of Auto Scaling supports no resource-level permission: "*"
  # (whitelisted in .ci/infra), read-only, this region.
  statement {
    sid       = "WatchRollOut"
    effect    = "Allow"
    actions   = ["autoscaling:DescribeInstanceRefreshes"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  name        = "${var.app_name}-deploy"
  description = "Jenkins: push ${var.app_name} images, set the deployed tag, refresh the instances"
  policy      = data.aws_iam_policy_document.deploy.json
}
