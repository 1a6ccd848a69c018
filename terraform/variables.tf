variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "eu-central-1"
}

variable "app_name" {
  description = "IMAGEAPP_APP_NAME: prefix of resource names, the app tag of per-user KMS keys, key aliases (alias/<app_name>/user/...) and topic names (<app_name>-user-...)."
  type        = string
  default     = "imageapp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.app_name))
    error_message = "app_name must be 2-24 characters of lowercase letters, digits and '-', starting with a letter (it becomes part of bucket names, aliases and topic names)."
  }
}

variable "ssh_key" {
  description = "Your SSH public key (the contents of ~/.ssh/id_ed25519.pub), installed for the ubuntu user."
  type        = string

  validation {
    condition     = can(regex("^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) ", var.ssh_key))
    error_message = "ssh_key must be an OpenSSH public key line (ssh-ed25519 ..., ecdsa-sha2-nistp256 ... or ssh-rsa ...), not a private key."
  }
}

variable "ur_ip" {
  description = "Your public IPv4 address (no /32): the only address allowed to reach SSH (port 22)."
  type        = string

  validation {
    condition     = can(cidrhost("${var.ur_ip}/32", 0)) && !strcontains(var.ur_ip, "/")
    error_message = "ur_ip must be a single IPv4 address such as 203.0.113.7 (the /32 is added for you)."
  }
}

variable "repo_url" {
  description = "HTTPS URL of the public ImageApp repository the instance clones and builds."
  type        = string

  validation {
    condition     = can(regex("^https://[A-Za-z0-9._~/:-]+$", var.repo_url)) && !strcontains(var.repo_url, "@")
    error_message = "repo_url must be a plain https:// URL without credentials (user data is not a place for tokens)."
  }
}

variable "repo_ref" {
  description = "Branch or tag of repo_url to deploy."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.repo_ref))
    error_message = "repo_ref must be a branch or tag name."
  }
}

variable "instance_type" {
  description = "EC2 instance type (arm64 Graviton: the AMI below is arm64). The image is built on the instance: 4 GiB of memory is comfortable for the Go and Vite builds."
  type        = string
  default     = "t4g.medium"
}

variable "subnet_id" {
  description = "Subnet for the instance (a public subnet). null = a default subnet of the default VPC."
  type        = string
  default     = null
}

variable "root_volume_size" {
  description = "Root volume size in GiB (encrypted gp3)."
  type        = number
  default     = 20
}

variable "lambda_zip" {
  description = "The post-confirmation trigger's deployment package, built by lambda/build.sh (linux/arm64)."
  type        = string
  default     = "../lambda/dist/bootstrap.zip"
}

variable "log_retention_days" {
  description = "Retention of the Lambda's CloudWatch logs."
  type        = number
  default     = 30
}

variable "max_upload_bytes" {
  description = "IMAGEAPP_MAX_UPLOAD_BYTES: largest image accepted."
  type        = number
  default     = 20971520
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted blob stays recoverable (bucket versioning) before S3 expires it."
  type        = number
  default     = 7
}
