# Logs and alarms in CloudWatch: the control plane, broker and database logs, and the
# alarms that page before users notice — stream lag, bronze lag, broker disk, the
# database's CPU and storage. Container metrics and pod logs arrive through the
# amazon-cloudwatch-observability add-on (eks.tf); the platform's own Prometheus
# metrics and rules are in infra/observability.

resource "aws_cloudwatch_log_group" "eks" {
  name              = "/aws/eks/${local.name}/cluster"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "msk" {
  name              = "/aws/msk/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "rds" {
  for_each          = toset(["postgresql", "upgrade"])
  name              = "/aws/rds/instance/${local.name}/${each.value}"
  retention_in_days = var.log_retention_days
}

resource "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == null ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
  ingested      = [for name in keys(var.kafka_topics) : name if name != "grid.alerts"]
}

# The stream processor must keep up within seconds: a rising time lag means too few
# processors for the partitions' load, or a stuck one.
resource "aws_cloudwatch_metric_alarm" "stream_lag" {
  alarm_name          = "${local.name}-stream-lag"
  alarm_description   = "grid-intel stream is behind on sensor.readings: check its pods, then scale it out (up to the topic's partitions)."
  namespace           = "AWS/Kafka"
  metric_name         = "EstimatedMaxTimeLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.stream_max_lag_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    "Cluster Name"   = aws_msk_cluster.kafka.cluster_name
    "Consumer Group" = var.stream_consumer_group
    "Topic"          = "sensor.readings"
  }
}

# Bronze commits to its group after each hourly window lands, so hours of lag are
# normal between windows; more than bronze_max_lag_seconds means sensors or runs stall.
resource "aws_cloudwatch_metric_alarm" "bronze_lag" {
  for_each            = toset(local.ingested)
  alarm_name          = "${local.name}-bronze-lag-${replace(each.value, ".", "-")}"
  alarm_description   = "Bronze is behind on ${each.value}: check the topic sensor's ticks and queued runs in the Dagster UI."
  namespace           = "AWS/Kafka"
  metric_name         = "EstimatedMaxTimeLag"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.bronze_max_lag_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  dimensions = {
    "Cluster Name"   = aws_msk_cluster.kafka.cluster_name
    "Consumer Group" = var.bronze_consumer_group
    "Topic"          = each.value
  }
}

resource "aws_cloudwatch_metric_alarm" "broker_disk" {
  count               = var.msk_broker_count
  alarm_name          = "${local.name}-kafka-disk-broker-${count.index + 1}"
  alarm_description   = "Broker ${count.index + 1}'s data volume is over 80 %: grow msk_broker_volume_gb or shorten retention."
  namespace           = "AWS/Kafka"
  metric_name         = "KafkaDataLogsDiskUsed"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions

  dimensions = {
    "Cluster Name" = aws_msk_cluster.kafka.cluster_name
    "Broker ID"    = tostring(count.index + 1)
  }
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${local.name}-rds-cpu"
  alarm_description   = "The warehouse's CPU is over 80 % for 15 minutes: look at Performance Insights, then the run concurrency."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }
}

resource "aws_cloudwatch_metric_alarm" "rds_storage" {
  alarm_name          = "${local.name}-rds-free-storage"
  alarm_description   = "Under 10 % of the warehouse's storage ceiling is free: raise rds_max_allocated_storage_gb or check retention."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.rds_max_allocated_storage_gb * 0.1 * 1024 * 1024 * 1024
  comparison_operator = "LessThanThreshold"
  alarm_actions       = local.alarm_actions

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }
}
