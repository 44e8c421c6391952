# The warehouse and Dagster's storage on RDS for PostgreSQL.
#
# RDS does not offer the timescaledb extension, so this is the platform's plain
# PostgreSQL lane: the migrations detect it and make bronze tables native
# range-partitioned tables (by day) and dbt runs on the `postgres` adapter — the lane
# the test suite runs on every CI run. For hypertables, compression and continuous
# aggregates point GRID_INTEL_WAREHOUSE_URL at Timescale Cloud (or a self-managed
# TimescaleDB) instead and keep this instance for Dagster's storage; README.md says how.

resource "aws_db_subnet_group" "main" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_security_group" "rds" {
  name        = "${local.name}-rds"
  description = "PostgreSQL from the EKS nodes only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "rds_from_eks" {
  security_group_id            = aws_security_group.rds.id
  referenced_security_group_id = aws_eks_cluster.main.vpc_config[0].cluster_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "pods on the EKS nodes"
}

resource "aws_db_parameter_group" "main" {
  name   = "${local.name}-pg17"
  family = "postgres17"

  parameter {
    name         = "shared_preload_libraries"
    value        = "pg_stat_statements"
    apply_method = "pending-reboot"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000" # log statements slower than 1 s
  }

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_db_instance" "main" {
  identifier     = local.name
  engine         = "postgres"
  engine_version = var.rds_engine_version
  instance_class = var.rds_instance_class

  # The warehouse database; `dagster` beside it is created by the grid-intel chart's
  # migrate job (infra/helm/grid-intel), as docker-compose's initdb does locally.
  db_name                     = "grid_intel"
  username                    = "grid_admin"
  manage_master_user_password = true # generated and rotated in Secrets Manager

  allocated_storage     = var.rds_allocated_storage_gb
  max_allocated_storage = var.rds_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true

  multi_az               = var.rds_multi_az
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.rds.id]
  parameter_group_name   = aws_db_parameter_group.main.name
  publicly_accessible    = false

  backup_retention_period    = var.rds_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.deletion_protection
  skip_final_snapshot        = !var.deletion_protection
  final_snapshot_identifier  = var.deletion_protection ? "${local.name}-final" : null
  auto_minor_version_upgrade = false # the version is pinned in variables.tf

  performance_insights_enabled    = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  depends_on = [aws_cloudwatch_log_group.rds]
}
