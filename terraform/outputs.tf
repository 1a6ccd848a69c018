# The app's configuration, under the names of the environment variables it
# reads (app/config.go), so `terraform output -raw NAME` fills NAME.

output "app_url" {
  description = "Where the app answers (plain HTTP: see ec2.tf about TLS)."
  value       = local.base_url
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

output "IMAGEAPP_APP_NAME" {
  value = var.app_name
}

output "AWS_REGION" {
  value = var.region
}

output "app_env" {
  description = "Every non-secret setting as a dotenv file: terraform output -raw app_env > .env.aws, then append IMAGEAPP_COGNITO_CLIENT_SECRET from the SSM parameter."
  value       = local.app_env
}

output "ssh" {
  description = "SSH to the instance (from var.ur_ip only)."
  value       = "ssh ubuntu@${aws_eip.app.public_ip}"
}
