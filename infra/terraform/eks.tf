# EKS: the control plane, two managed node groups and the add-ons.
#   system  always-on: Dagster webserver, daemon and code location, the API, the stream
#           processor and the exporter.
#   runs    one pod per Dagster run (K8sRunLauncher); tainted so only runs land there,
#           sized by a cluster autoscaler between run_node_count.min and .max.

data "aws_iam_policy_document" "eks_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${local.name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.eks_assume.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_eks_cluster" "main" {
  name     = local.name
  version  = var.eks_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
    endpoint_public_access  = length(var.eks_public_endpoint_cidrs) > 0
    public_access_cidrs     = length(var.eks_public_endpoint_cidrs) > 0 ? var.eks_public_endpoint_cidrs : null
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_cloudwatch_log_group.eks,
  ]
}

resource "aws_eks_access_entry" "admin" {
  for_each      = toset(var.eks_admin_principal_arns)
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "admin" {
  for_each      = toset(var.eks_admin_principal_arns)
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = each.value
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.admin]
}

# --- nodes -----------------------------------------------------------------------

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${local.name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "CloudWatchAgentServerPolicy", # Container Insights (amazon-cloudwatch-observability)
  ])
  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

resource "aws_eks_node_group" "system" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "system"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = aws_subnet.private[*].id
  instance_types  = var.system_node_instance_types
  ami_type        = "AL2023_x86_64_STANDARD"

  scaling_config {
    min_size     = var.system_node_count.min
    desired_size = var.system_node_count.desired
    max_size     = var.system_node_count.max
  }

  update_config {
    max_unavailable = 1
  }

  labels = { "grid-intel/pool" = "system" }

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size] # the autoscaler owns it
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

resource "aws_eks_node_group" "runs" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "runs"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = aws_subnet.private[*].id
  instance_types  = var.run_node_instance_types
  ami_type        = "AL2023_x86_64_STANDARD"

  scaling_config {
    min_size     = var.run_node_count.min
    desired_size = var.run_node_count.desired
    max_size     = var.run_node_count.max
  }

  update_config {
    max_unavailable_percentage = 25
  }

  labels = { "grid-intel/pool" = "runs" }

  taint {
    key    = "grid-intel/runs"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

# --- add-ons (each at the default version EKS pairs with eks_version) --------------

resource "aws_eks_addon" "core" {
  for_each = toset([
    "vpc-cni",
    "kube-proxy",
    "coredns",
    "eks-pod-identity-agent",
    "amazon-cloudwatch-observability",
  ])
  cluster_name                = aws_eks_cluster.main.name
  addon_name                  = each.value
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"

  depends_on = [aws_eks_node_group.system]
}

# --- workload identity: S3 (compute logs, landing archives) for the pods ------------

data "aws_iam_policy_document" "pods_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "workload" {
  name               = "${local.name}-workload"
  assume_role_policy = data.aws_iam_policy_document.pods_assume.json
}

data "aws_iam_policy_document" "workload" {
  statement {
    sid       = "ListDataBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
  }

  statement {
    sid       = "ReadWriteData"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }

  statement {
    sid       = "PlatformMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["GridIntel"]
    }
  }
}

resource "aws_iam_role_policy" "workload" {
  name   = "data-and-metrics"
  role   = aws_iam_role.workload.id
  policy = data.aws_iam_policy_document.workload.json
}

resource "aws_eks_pod_identity_association" "workload" {
  for_each        = toset(var.k8s_service_accounts)
  cluster_name    = aws_eks_cluster.main.name
  namespace       = var.k8s_namespace
  service_account = each.value
  role_arn        = aws_iam_role.workload.arn
}

# --- landing archives: the bucket's landing/ prefix as a read-only volume ----------
# The Mountpoint for Amazon S3 CSI driver (v2 takes EKS Pod Identity) mounts it for the
# grid-intel chart's `landing` claim, in Dagster's code server and run pods. The driver
# reads with a role of its own that can list and get landing/ and nothing else.

data "aws_iam_policy_document" "landing_mount" {
  statement {
    sid       = "ListLanding"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.landing_prefix}*"]
    }
  }

  statement {
    sid       = "ReadLanding"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/${var.landing_prefix}*"]
  }
}

resource "aws_iam_role" "landing_mount" {
  name               = "${local.name}-landing-mount"
  assume_role_policy = data.aws_iam_policy_document.pods_assume.json
}

resource "aws_iam_role_policy" "landing_mount" {
  name   = "read-landing"
  role   = aws_iam_role.landing_mount.id
  policy = data.aws_iam_policy_document.landing_mount.json
}

resource "aws_eks_addon" "landing_mount" {
  cluster_name                = aws_eks_cluster.main.name
  addon_name                  = "aws-mountpoint-s3-csi-driver"
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"
  # The run pool is tainted; its pods mount the landing folder too.
  configuration_values = jsonencode({ node = { tolerateAllTaints = true } })

  pod_identity_association {
    role_arn        = aws_iam_role.landing_mount.arn
    service_account = "s3-csi-driver-sa"
  }

  depends_on = [aws_eks_addon.core] # the pod identity agent
}
