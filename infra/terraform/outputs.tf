# What the Helm values and the operators need from this stack.

output "eks_cluster_name" {
  description = "`aws eks update-kubeconfig --name <this>`."
  value       = aws_eks_cluster.main.name
}

output "eks_cluster_endpoint" {
  value = aws_eks_cluster.main.endpoint
}

output "rds_endpoint" {
  description = "host:port of PostgreSQL (postgresql.postgresqlHost in infra/helm/dagster-values.yaml)."
  value       = aws_db_instance.main.endpoint
}

output "rds_master_secret_arn" {
  description = "Secrets Manager secret holding the generated master password."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "kafka_bootstrap_servers" {
  description = "GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS for the pods."
  value       = join(",", local.kafka_bootstrap_servers)
}

output "kafka_security_protocol" {
  description = "GRID_INTEL_KAFKA_SECURITY_PROTOCOL for the pods: SSL when the brokers above are the TLS listeners."
  value       = var.msk_client_broker == "TLS" ? "SSL" : "PLAINTEXT"
}

output "kafka_topics" {
  description = "The topics as created: partitions and retention."
  value = {
    for name, topic in kafka_topic.platform :
    name => { partitions = topic.partitions, retention_ms = topic.config["retention.ms"] }
  }
}

output "data_bucket" {
  description = "Bucket for compute logs, landing archives and dbt artifacts."
  value       = aws_s3_bucket.data.bucket
}

output "workload_role_arn" {
  description = "IAM role the chart's service accounts get through EKS Pod Identity."
  value       = aws_iam_role.workload.arn
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}
