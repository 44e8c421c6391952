# Pinned Terraform and provider versions: upgrades are deliberate commits, not a side
# effect of `terraform init` on a new machine.
terraform {
  required_version = ">= 1.10.0, < 2.0.0" # 1.10: S3 backend locking (use_lockfile)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.66.0"
    }
    # Topics are Kafka objects, not AWS ones: created over the brokers' admin API.
    kafka = {
      source  = "Mongey/kafka"
      version = "0.13.1"
    }
  }

  # State in S3 with native locking; fill in at init:
  #   terraform init -backend-config="bucket=..." -backend-config="key=grid-intel/prod.tfstate" \
  #                  -backend-config="region=ca-central-1" -backend-config="use_lockfile=true"
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# Reaches the brokers from inside the VPC (a CI runner or bastion there): MSK has no
# public endpoint here. The first apply creates the cluster before the topics
# (README: `-target=aws_msk_cluster.kafka`), since the provider needs its brokers.
provider "kafka" {
  bootstrap_servers = local.kafka_bootstrap_servers
  tls_enabled       = var.msk_client_broker == "TLS"
}
