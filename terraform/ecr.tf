# Images by tag. Jenkins builds linux/arm64, tags it with the commit SHA and
# pushes it here (tags are immutable: a SHA always names the same image),
# then makes a launch template version whose instance tag image-tag names
# it and rolls that version out (terraform/deploy/rollout.sh): every new
# instance pulls the tag its version carries, so an automatic rollback to
# the previous version brings the previous image back. Rolling back by hand
# is rolling out an older version (terraform/README.md): the repository
# keeps the newest var.image_keep_count images.

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

# The record of the released tag: Jenkins writes it only after a rollout
# succeeded and passed the smoke test (the instances read their tag from
# their launch template version, not from here). Terraform creates it with
# var.image_tag (or "none" before the first image) and then leaves it to
# Jenkins: a later apply never rewrites it.
resource "aws_ssm_parameter" "image_tag" {
  name        = "/${var.app_name}/image-tag"
  description = "The image tag (commit SHA) of ${aws_ecr_repository.app.repository_url} last released to the ${var.app_name} instances"
  type        = "String"
  value       = var.image_tag == "" ? "none" : var.image_tag

  lifecycle {
    ignore_changes = [value]
  }
}

# What the Jenkins agent's role may do, and nothing else: push to this
# repository, make and promote launch template versions of the app's
# template, start, watch and roll back an instance refresh of this group,
# record the released tag, read the smoke test's account, and ship the
# Lambda's code. Attach it to the agent's role (terraform/README.md); the
# agent logs in to ECR with `aws ecr get-login-password`, never a stored
# registry password.
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
    sid       = "ReleasedTag"
    effect    = "Allow"
    actions   = ["ssm:GetParameter", "ssm:PutParameter"]
    resources = [aws_ssm_parameter.image_tag.arn]
  }

  # The smoke test's synthetic accounts (a SecureString parameter an
  # operator creates: terraform/README.md); read only.
  statement {
    sid       = "SmokeAccounts"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = [local.smoke_parameters_arn]
  }

  # The smoke test's new synthetic user each run: signed up through the
  # app, confirmed here (the post-confirmation trigger runs inside it), and
  # deleted through the app again. Nothing else on the pool.
  statement {
    sid       = "SmokeConfirmsItsUser"
    effect    = "Allow"
    actions   = ["cognito-idp:AdminConfirmSignUp"]
    resources = [aws_cognito_user_pool.users.arn]
  }

  # A release is a new version of the app's launch template (the image tag
  # as an instance tag), made default once it is healthy; a failed one is
  # deleted again.
  statement {
    sid    = "LaunchTemplateVersions"
    effect = "Allow"
    actions = [
      "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplateVersions",
    ]
    resources = [aws_launch_template.app.arn]
  }

  # Describe* of EC2 supports no resource-level permission: "*"
  # (whitelisted in .ci/infra), read-only, this region.
  statement {
    sid       = "ReadLaunchTemplateVersions"
    effect    = "Allow"
    actions   = ["ec2:DescribeLaunchTemplateVersions"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }

  # A refresh to a launch template version is checked like launching from
  # it: the caller may run instances from that template (and tag them) and
  # pass the app's role to EC2. RunInstances touches subnets, groups,
  # volumes and interfaces whose ARNs are not known here, so "*"
  # (whitelisted in .ci/infra), only through this launch template.
  statement {
    sid       = "LaunchFromTheTemplate"
    effect    = "Allow"
    actions   = ["ec2:RunInstances", "ec2:CreateTags"]
    resources = ["*"]

    condition {
      test     = "ArnEquals"
      variable = "ec2:LaunchTemplate"
      values   = [aws_launch_template.app.arn]
    }
  }

  statement {
    sid       = "PassAppRole"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.app.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    sid       = "RollOut"
    effect    = "Allow"
    actions   = ["autoscaling:StartInstanceRefresh", "autoscaling:RollbackInstanceRefresh"]
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

  # The post-confirmation trigger, from the same commit as the image.
  statement {
    sid       = "ShipLambda"
    effect    = "Allow"
    actions   = ["lambda:UpdateFunctionCode", "lambda:GetFunctionConfiguration"]
    resources = [aws_lambda_function.post_confirmation.arn]
  }
}

resource "aws_iam_policy" "deploy" {
  name        = "${var.app_name}-deploy"
  description = "Jenkins: push ${var.app_name} images, roll out launch template versions, ship the Lambda"
  policy      = data.aws_iam_policy_document.deploy.json
}
