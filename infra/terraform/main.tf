# Names, tags and lookups shared by every file.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name = "${var.project}-${var.environment}"
  azs  = slice(data.aws_availability_zones.available.names, 0, var.az_count)

  tags = merge(
    {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    },
    var.extra_tags,
  )

  kafka_bootstrap_servers = split(",", (
    var.msk_client_broker == "TLS"
    ? aws_msk_cluster.kafka.bootstrap_brokers_tls
    : aws_msk_cluster.kafka.bootstrap_brokers
  ))
}
