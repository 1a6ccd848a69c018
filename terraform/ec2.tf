# One instance running the container (docker compose, profile aws), with the
# app's role through an instance profile: no access keys anywhere.
#
# Port: the container listens on 3000; the instance publishes it on 80, the
# only port open to the world. SSH (22) is open to var.ur_ip alone. The app
# speaks plain HTTP here: put TLS in front (an ALB with an ACM certificate,
# or CloudFront) before real users sign in, and set IMAGEAPP_BASE_URL to the
# https:// URL so session cookies become Secure.

locals {
  app_port      = 80   # public port on the instance
  app_container = 3000 # IMAGEAPP_ADDR inside the container
  base_url      = "http://${aws_eip.app.public_ip}"

  # The app's environment (dotenv), every value but the client secret, which
  # the instance appends at boot from SSM (see user_data.sh.tftpl).
  app_env = <<-EOT
    IMAGEAPP_BACKEND=aws
    IMAGEAPP_ADDR=:${local.app_container}
    IMAGEAPP_DATA_DIR=/data
    IMAGEAPP_APP_NAME=${var.app_name}
    IMAGEAPP_BASE_URL=${local.base_url}
    IMAGEAPP_MAX_UPLOAD_BYTES=${var.max_upload_bytes}
    IMAGEAPP_COGNITO_USER_POOL_ID=${aws_cognito_user_pool.users.id}
    IMAGEAPP_COGNITO_CLIENT_ID=${aws_cognito_user_pool_client.web.id}
    IMAGEAPP_USERS_TABLE=${aws_dynamodb_table.users.name}
    IMAGEAPP_MESSAGES_TABLE=${aws_dynamodb_table.messages.name}
    IMAGEAPP_BUCKET=${aws_s3_bucket.blobs.id}
    AWS_REGION=${var.region}
  EOT
}

# Ubuntu 24.04 LTS (arm64): its archive has docker.io, docker-buildx, docker-compose-v2 and
# python3-boto3, so nothing is downloaded outside the distribution's packages.
data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*"]
  }

  filter {
    name   = "architecture"
    values = ["arm64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

resource "aws_key_pair" "admin" {
  key_name_prefix = "${var.app_name}-admin-"
  public_key      = var.ssh_key
}

# The security group must live in the instance's VPC: the subnet's, or the
# default VPC when no subnet is given.
data "aws_subnet" "selected" {
  count = var.subnet_id == null ? 0 : 1
  id    = var.subnet_id
}

resource "aws_security_group" "app" {
  name_prefix = "${var.app_name}-app-"
  description = "${var.app_name}: HTTP from anywhere, SSH from the admin address only"
  vpc_id      = var.subnet_id == null ? null : data.aws_subnet.selected[0].vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.app.id
  description       = "SSH from the admin address only"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "${var.ur_ip}/32"
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  security_group_id = aws_security_group.app.id
  description       = "The app (container port 3000, published on 80)"
  ip_protocol       = "tcp"
  from_port         = local.app_port
  to_port           = local.app_port
  cidr_ipv4         = "0.0.0.0/0"
}

# Outbound: HTTPS (AWS APIs, git, image and package registries) and HTTP
# (Ubuntu's package mirrors). DNS, NTP and instance metadata are not
# filtered by security groups.
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS out"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "http" {
  security_group_id = aws_security_group.app.id
  description       = "HTTP out (package mirrors)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "app" {
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.app.id]
  key_name               = aws_key_pair.admin.key_name
  iam_instance_profile   = aws_iam_instance_profile.app.name

  # IMDSv2 only. Hop limit 2: the container (one network hop further, on
  # Docker's bridge) fetches the role's credentials through IMDS too.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted             = true
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    delete_on_termination = true
  }

  # No secret in here: the client secret is read from SSM at boot.
  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    repo_url         = var.repo_url
    repo_ref         = var.repo_ref
    region           = var.region
    app_env          = local.app_env
    secret_parameter = aws_ssm_parameter.cognito_client_secret.name
    publish_port     = local.app_port
  })
  user_data_replace_on_change = true

  tags = {
    Name = "${var.app_name}-app"
  }

  # The role's policy must be in place before the boot script reads SSM.
  depends_on = [aws_iam_role_policy.app]
}

# The address exists before the instance, so the app's base URL (links in
# notifications) can name it without a dependency cycle.
resource "aws_eip" "app" {
  domain = "vpc"

  tags = {
    Name = "${var.app_name}-app"
  }
}

resource "aws_eip_association" "app" {
  instance_id   = aws_instance.app.id
  allocation_id = aws_eip.app.id
}
