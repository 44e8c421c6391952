# Inputs with production-shaped defaults. The topic defaults are the seed
# architecture's (grid_intel/broker/topics.py); a unit test holds them equal.

variable "project" {
  description = "Name prefix of every resource."
  type        = string
  default     = "grid-intel"
}

variable "environment" {
  description = "Deployment name (prod, staging, ...), part of every resource name."
  type        = string
  default     = "prod"
}

variable "region" {
  description = "AWS region; Canada (Central) keeps Manitoba's grid data in Canada."
  type        = string
  default     = "ca-central-1"
}

# --- network ---------------------------------------------------------------------

variable "vpc_cidr" {
  description = "The VPC's address range; split into one public and one private subnet per AZ."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones used (MSK needs its broker count to be a multiple of this)."
  type        = number
  default     = 3
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs (cheaper) instead of one per AZ (zone-independent)."
  type        = bool
  default     = true
}

# --- EKS -------------------------------------------------------------------------

variable "eks_version" {
  description = "Kubernetes version of the EKS control plane and node groups."
  type        = string
  default     = "1.33"
}

variable "eks_public_endpoint_cidrs" {
  description = "CIDRs allowed to reach the public Kubernetes API endpoint; empty keeps it private."
  type        = list(string)
  default     = []
}

variable "eks_admin_principal_arns" {
  description = "IAM roles or users given cluster-admin through EKS access entries."
  type        = list(string)
  default     = []
}

variable "system_node_instance_types" {
  description = "Instance types of the always-on pool: webserver, daemon, code location, API, stream processor."
  type        = list(string)
  default     = ["m7i.xlarge"]
}

variable "system_node_count" {
  description = "Nodes in the always-on pool (min, desired, max)."
  type        = object({ min = number, desired = number, max = number })
  default     = { min = 2, desired = 3, max = 6 }
}

variable "run_node_instance_types" {
  description = "Instance types of the pool that runs one Dagster run per pod (K8sRunLauncher)."
  type        = list(string)
  default     = ["m7i.2xlarge"]
}

variable "run_node_count" {
  description = "Nodes in the run pool (min, desired, max); a cluster autoscaler moves it within."
  type        = object({ min = number, desired = number, max = number })
  default     = { min = 1, desired = 2, max = 12 }
}

variable "k8s_namespace" {
  description = "Namespace of the Dagster release and the grid-intel chart."
  type        = string
  default     = "grid-intel"
}

variable "k8s_service_accounts" {
  description = "Service accounts given the workload IAM role (S3, CloudWatch) through EKS Pod Identity."
  type        = list(string)
  default     = ["dagster", "grid-intel"]
}

# --- RDS PostgreSQL --------------------------------------------------------------

variable "rds_engine_version" {
  description = "PostgreSQL version on RDS (plain PostgreSQL lane: RDS offers no TimescaleDB)."
  type        = string
  default     = "17.6"
}

variable "rds_instance_class" {
  description = "RDS instance class; memory holds the hot gold tables and Dagster's event log."
  type        = string
  default     = "db.m7g.xlarge"
}

variable "rds_allocated_storage_gb" {
  description = "Initial gp3 storage; grows automatically up to rds_max_allocated_storage_gb."
  type        = number
  default     = 200
}

variable "rds_max_allocated_storage_gb" {
  description = "Ceiling for storage autoscaling."
  type        = number
  default     = 2000
}

variable "rds_multi_az" {
  description = "A synchronous standby in a second AZ."
  type        = bool
  default     = true
}

variable "rds_backup_retention_days" {
  description = "Automated backup (point-in-time recovery) window."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Protect the database and keep a final snapshot on destroy."
  type        = bool
  default     = true
}

# --- MSK (Kafka) -----------------------------------------------------------------

variable "kafka_version" {
  description = "Kafka version on MSK (KRaft)."
  type        = string
  default     = "3.9.x"
}

variable "msk_broker_count" {
  description = "Brokers; a multiple of az_count."
  type        = number
  default     = 3
}

variable "msk_broker_instance_type" {
  description = "Broker instance type."
  type        = string
  default     = "kafka.m7g.large"
}

variable "msk_broker_volume_gb" {
  description = "EBS per broker (GB); README.md sizes it from the topics' rates and retention."
  type        = number
  default     = 1000
}

variable "msk_client_broker" {
  description = "Client encryption: TLS serves only the TLS listener (9094), which the pods reach with GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL (output kafka_security_protocol); TLS_PLAINTEXT serves both, and the pods use plaintext."
  type        = string
  default     = "TLS"

  validation {
    condition     = contains(["TLS", "TLS_PLAINTEXT", "PLAINTEXT"], var.msk_client_broker)
    error_message = "msk_client_broker must be TLS, TLS_PLAINTEXT or PLAINTEXT."
  }
}

variable "topic_replication_factor" {
  description = "Replicas per topic partition."
  type        = number
  default     = 3
}

variable "topic_min_insync_replicas" {
  description = "Replicas that must acknowledge an acks=all write (the producers use acks=all)."
  type        = number
  default     = 2
}

variable "kafka_topics" {
  description = "The platform's topics: partitions and retention (ms). Partitions can only grow; see README."
  type = map(object({
    partitions   = number
    retention_ms = number
  }))
  default = {
    "sensor.readings" = { partitions = 6, retention_ms = 604800000 }  # 7 days
    "grid.frequency"  = { partitions = 3, retention_ms = 604800000 }  # 7 days
    "market.prices"   = { partitions = 3, retention_ms = 2592000000 } # 30 days
    "grid.alerts"     = { partitions = 1, retention_ms = 7776000000 } # 90 days
  }
}

# --- monitoring ------------------------------------------------------------------

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the cluster, broker and database logs."
  type        = number
  default     = 30
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (confirm the e-mail AWS sends); null for none."
  type        = string
  default     = null
}

variable "stream_consumer_group" {
  description = "The stream processor's consumer group (`grid-intel stream --group`)."
  type        = string
  default     = "grid-intel-stream"
}

variable "stream_max_lag_seconds" {
  description = "Alarm when the stream processor's estimated time lag on sensor.readings exceeds this."
  type        = number
  default     = 120
}

variable "bronze_consumer_group" {
  description = "The group bronze runs commit to after each window lands (lag bookkeeping)."
  type        = string
  default     = "grid-intel-bronze"
}

variable "bronze_max_lag_seconds" {
  description = "Alarm when bronze is this far behind a topic: hourly windows plus grace and a backlog."
  type        = number
  default     = 10800
}

variable "compute_log_retention_days" {
  description = "Days Dagster compute logs are kept in S3."
  type        = number
  default     = 30
}

variable "extra_tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "landing_prefix" {
  description = "Key prefix of the data bucket that Kubernetes mounts as the landing folder (the chart's landing.prefix)."
  type        = string
  default     = "landing/"
}
