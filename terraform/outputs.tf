# The app's configuration, under the names of the environment variables it
# reads (app/server/config.go), so `terraform output -raw NAME` fills NAME;
# and what an operator and Jenkins need to deploy.

output "app_url" {
  description = "Where the app answers: https on var.domain (point its DNS at lb_dns_name unless route53_zone_id is set), or CloudFront's address."
  value       = local.base_url
}

output "lb_dns_name" {
  description = "The load balancer's name: with var.domain and no route53_zone_id, point the domain at it (CNAME or alias)."
  value       = aws_lb.app.dns_name
}

output "acm_validation_records" {
  description = "With var.domain and no route53_zone_id: the DNS records that prove the domain to ACM; the apply waits until they exist."
  value = local.alb_https ? [for o in aws_acm_certificate.app[0].domain_validation_options : {
    name  = o.resource_record_name
    type  = o.resource_record_type
    value = o.resource_record_value
  }] : []
}

output "ecr_repository_url" {
  description = "Where Jenkins pushes the image (tag = commit SHA)."
  value       = aws_ecr_repository.app.repository_url
}

output "image_tag_parameter" {
  description = "SSM parameter recording the last released image tag (written by rollout.sh promote; the instances read their tag from their launch template version)."
  value       = aws_ssm_parameter.image_tag.name
}

output "autoscaling_group" {
  description = "The app's Auto Scaling group: aws autoscaling start-instance-refresh --auto-scaling-group-name <this>."
  value       = aws_autoscaling_group.app.name
}

output "deploy_policy_arn" {
  description = "Attach to the Jenkins agent's role: push images, set the tag, refresh the group."
  value       = aws_iam_policy.deploy.arn
}

output "app_log_group" {
  description = "CloudWatch log group of the app's containers."
  value       = aws_cloudwatch_log_group.app.name
}

output "IMAGEAPP_COGNITO_USER_POOL_ID" {
  value = aws_cognito_user_pool.users.id
}

output "IMAGEAPP_COGNITO_CLIENT_ID" {
  value = aws_cognito_user_pool_client.web.id
}

output "cognito_client_secret_parameter" {
  description = "SSM parameter (SecureString) holding IMAGEAPP_COGNITO_CLIENT_SECRET: aws ssm get-parameter --with-decryption --name <this>."
  value       = aws_ssm_parameter.cognito_client_secret.name
}

output "IMAGEAPP_USERS_TABLE" {
  value = aws_dynamodb_table.users.name
}

output "IMAGEAPP_MESSAGES_TABLE" {
  value = aws_dynamodb_table.messages.name
}

output "IMAGEAPP_BUCKET" {
  value = aws_s3_bucket.blobs.id
}

output "IMAGEAPP_APP_KEY_ID" {
  description = "The app's KMS key, which wraps the cookie keys (not the keys themselves)."
  value       = aws_kms_key.app.arn
}

output "IMAGEAPP_APP_ROLE_ARN" {
  description = "The app's role, named in the key policy of every new user key."
  value       = aws_iam_role.app.arn
}

output "IMAGEAPP_KEY_MODE" {
  value = var.key_mode
}

output "IMAGEAPP_MAIL" {
  value = var.mail_mode
}

output "IMAGEAPP_SES_FROM" {
  description = "mail_mode = ses: the From address of notification mail (empty in sns mode)."
  value       = local.ses_mail ? local.ses_from : ""
}

output "IMAGEAPP_SES_CONFIGURATION_SET" {
  value = local.ses_mail ? local.ses_configuration_set : ""
}

output "ses_dkim_records" {
  description = "mail_mode = ses: the three CNAME records that verify ses_domain (Easy DKIM); SES sends nothing from it until they resolve."
  value = local.ses_mail ? [for t in aws_sesv2_email_identity.mail[0].dkim_signing_attributes[0].tokens :
  { name = "${t}._domainkey.${var.ses_domain}", type = "CNAME", value = "${t}.dkim.amazonses.com" }] : []
}

output "IMAGEAPP_ROOT_KEY_ID" {
  description = "The root key: wraps each user's key in the key hierarchy (key_mode = hierarchy)."
  value       = aws_kms_key.root.arn
}

output "IMAGEAPP_APP_NAME" {
  value = var.app_name
}

output "AWS_REGION" {
  value = var.region
}

output "app_env" {
  description = "Every non-secret setting as a dotenv file (the instances' .env.aws without the client secret). IMAGEAPP_VALKEY_URL answers inside the VPC only."
  value       = local.app_env
}

output "launch_template_id" {
  description = "The app's launch template: Jenkins makes a version of it per release (LAUNCH_TEMPLATE_ID, terraform/deploy/rollout.sh)."
  value       = aws_launch_template.app.id
}

output "rollout_preferences_json" {
  description = "The instance refresh preferences (checkpoints, rollout alarms, auto-rollback) Jenkins passes to start-instance-refresh (ROLLOUT_PREFERENCES)."
  value       = jsonencode(local.rollout_preferences)
}

output "health_check_path" {
  description = "What the ALB asks the app (HEALTH_PATH of the smoke test)."
  value       = var.health_check_path
}

output "smoke_parameter" {
  description = "The SSM SecureString parameter an operator creates with the smoke test's two accounts (SMOKE_PARAMETER; terraform/README.md)."
  value       = local.smoke_parameter
}

output "lambda_function" {
  description = "The post-confirmation trigger, whose code Jenkins ships (LAMBDA_FUNCTION)."
  value       = aws_lambda_function.post_confirmation.function_name
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm and the budget: subscribe your pager or mail to it."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_url" {
  description = "The CloudWatch dashboard."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.main.dashboard_name}"
}

output "lb_log_bucket" {
  description = "Where the ALB writes its access logs (prefix alb/)."
  value       = aws_s3_bucket.logs["lb"].id
}

output "cdn_log_bucket" {
  description = "Without a domain: where CloudFront writes its standard logs (prefix cloudfront/); empty with a domain."
  value       = aws_s3_bucket.logs["cdn"].id
}

output "valkey_password_parameter" {
  description = "SSM SecureString with the Valkey password of the app's user (the instances read it at boot)."
  value       = aws_ssm_parameter.valkey_password.name
}
