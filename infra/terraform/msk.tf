# Kafka on MSK and the platform's four topics.
#
# Partitions are the unit of parallelism: a consumer group spreads a topic's
# partitions over its members, so sensor.readings' 6 partitions let up to 6 stream
# processors share the SCADA load. Partitions can be added later, never removed, and
# adding them moves keys to other partitions (README.md: scaling a topic).

resource "aws_security_group" "msk" {
  name        = "${local.name}-msk"
  description = "Kafka from the EKS nodes only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "msk_from_eks" {
  for_each = {
    plaintext = 9092
    tls       = 9094
  }
  security_group_id            = aws_security_group.msk.id
  referenced_security_group_id = aws_eks_cluster.main.vpc_config[0].cluster_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  description                  = "Kafka ${each.key} from pods on the EKS nodes"
}

resource "aws_vpc_security_group_ingress_rule" "msk_exporters_from_eks" {
  security_group_id            = aws_security_group.msk.id
  referenced_security_group_id = aws_eks_cluster.main.vpc_config[0].cluster_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 11001
  to_port                      = 11002
  description                  = "Prometheus JMX and node exporters"
}

resource "aws_msk_configuration" "main" {
  name           = "${local.name}-kafka"
  kafka_versions = [var.kafka_version]

  # Topics exist only as declared below, as locally (auto-create off there too).
  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=${var.topic_replication_factor}
    min.insync.replicas=${var.topic_min_insync_replicas}
    unclean.leader.election.enable=false
    offsets.retention.minutes=20160
  PROPERTIES
}

resource "aws_msk_cluster" "kafka" {
  cluster_name           = local.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.msk_broker_count
  enhanced_monitoring    = "PER_TOPIC_PER_BROKER"

  broker_node_group_info {
    instance_type   = var.msk_broker_instance_type
    client_subnets  = aws_subnet.private[*].id
    security_groups = [aws_security_group.msk.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.msk_broker_volume_gb
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.main.arn
    revision = aws_msk_configuration.main.latest_revision
  }

  encryption_info {
    encryption_in_transit {
      client_broker = var.msk_client_broker
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = true # network-scoped: only the EKS nodes' security group gets in
  }

  open_monitoring {
    prometheus {
      jmx_exporter {
        enabled_in_broker = true
      }
      node_exporter {
        enabled_in_broker = true
      }
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.msk.name
      }
    }
  }
}

# The seed architecture's topics (defaults in variables.tf equal grid_intel/broker/topics.py),
# with the same topic-level configs `grid-intel stack up` sets locally.
resource "kafka_topic" "platform" {
  for_each           = var.kafka_topics
  name               = each.key
  partitions         = each.value.partitions
  replication_factor = var.topic_replication_factor

  config = {
    "retention.ms"           = tostring(each.value.retention_ms)
    "cleanup.policy"         = "delete"
    "message.timestamp.type" = "CreateTime"
    "min.insync.replicas"    = tostring(var.topic_min_insync_replicas)
  }

  depends_on = [aws_msk_cluster.kafka]
}
