"""The deployment files parse and agree with the code: docker-compose.yml, the
Dockerfile, Terraform, the Helm values and the CI workflow.

No Docker engine, Kubernetes cluster or AWS account is reachable here, so these
checks are what keeps the files honest: a service without a health check, a
floating image tag, a port clash, a topic whose partitions drift from
grid_intel/broker/topics.py or a CI job that stops running `.ci/run` fails here.
"""

from __future__ import annotations

import http.server
import importlib.util
import re
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import hcl2
import pytest
import yaml

from grid_intel.broker.topics import SENSOR_READINGS, TOPICS
from grid_intel.settings import Settings, project_root
from grid_intel.streaming.processor import StreamConfig

ROOT = project_root()
TERRAFORM = ROOT / "infra" / "terraform"
HELM = ROOT / "infra" / "helm"
CHART = HELM / "grid-intel"
DEFAULTS = {name: field.default for name, field in Settings.model_fields.items()}


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def pinned(tag: object, parts: int = 3) -> bool:
    """An exact release with an optional suffix: v3.5.0, 2.23.0-pg17, 3.11.13-slim-bookworm.
    PostgreSQL and Debian name their releases with two numbers (17.6, 12.11)."""
    exact = rf"v?\d+(\.\d+){{{parts - 1}}}([.-][A-Za-z][A-Za-z0-9.-]*|-pg\d+)?"
    return isinstance(tag, str) and re.fullmatch(exact, tag) is not None


# --- docker-compose.yml ---------------------------------------------------------------

REQUIRED_SERVICES = {
    "timescaledb",
    "kafka",
    "bootstrap",
    "code",
    "webserver",
    "daemon",
    "api",
    "stream",
    "exporter",
    "prometheus",
    "alertmanager",
    "grafana",
}
OBSERVABILITY_MOUNTS = {
    (
        "prometheus",
        "./infra/observability/prometheus.compose.yml",
    ): "/etc/prometheus/prometheus.yml",
    ("prometheus", "./infra/observability/rules"): "/etc/prometheus/rules",
    (
        "alertmanager",
        "./infra/observability/alertmanager.yml",
    ): "/etc/alertmanager/alertmanager.yml",
    ("grafana", "./infra/observability/grafana/provisioning"): "/etc/grafana/provisioning",
    ("grafana", "./infra/observability/grafana/dashboards"): "/var/lib/grafana/dashboards",
}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    return load_yaml(ROOT / "docker-compose.yml")["services"]


def one_shot(services: dict[str, dict[str, Any]]) -> set[str]:
    """Jobs that run to completion: never restarted, waited for by exit code."""
    return {
        name
        for name, svc in services.items()
        if svc.get("restart") == "no"
        and any(
            dep.get(name, {}).get("condition") == "service_completed_successfully"
            for dep in (s.get("depends_on", {}) for s in services.values())
            if isinstance(dep, dict)
        )
    }


def host_ports(svc: dict[str, Any]) -> dict[int, int]:
    """Published host port -> container port."""
    out = {}
    for spec in svc.get("ports", []):
        host, container = str(spec).rsplit(":", 2)[-2:]
        out[int(host)] = int(container.split("/")[0])
    return out


def container_ports(svc: dict[str, Any]) -> set[int]:
    """Ports other services reach it on: the published ones' and the exposed ones."""
    exposed = {int(str(spec).split("/")[0]) for spec in svc.get("expose", [])}
    return set(host_ports(svc).values()) | exposed


def test_compose_describes_the_full_stack(services):
    assert services.keys() >= REQUIRED_SERVICES, REQUIRED_SERVICES - services.keys()


def test_every_long_running_service_has_a_healthcheck(services):
    assert one_shot(services) == {"bootstrap"}
    for name, svc in services.items():
        if name in one_shot(services):
            continue
        check = svc.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_images_are_pinned_to_exact_versions(services):
    for name, svc in services.items():
        if "build" in svc:
            assert svc["build"]["dockerfile"] == "infra/docker/Dockerfile", name
            continue
        image = svc.get("image", "")
        repo, _, tag = image.rpartition(":")
        assert repo and pinned(tag), f"{name}: {image!r} is not pinned to an exact version"


def test_host_ports_are_unique_and_follow_the_local_stack(services):
    seen: dict[int, str] = {}
    for name, svc in services.items():
        for port in host_ports(svc):
            assert port not in seen, f"{name} and {seen[port]} both publish {port}"
            seen[port] = name
    expected = {
        "timescaledb": DEFAULTS["pg_port"],
        "kafka": DEFAULTS["kafka_port"],
        "webserver": DEFAULTS["dagster_port"],
        "api": DEFAULTS["api_port"],
        "exporter": DEFAULTS["exporter_port"],
    }
    for name, port in expected.items():
        assert port in host_ports(services[name]), f"{name} should publish {port}"


def test_app_services_listen_where_their_healthchecks_and_ports_look(services):
    env = services["api"]["environment"]
    assert env["GRID_INTEL_METRICS_HOST"] == "0.0.0.0"
    assert int(env["GRID_INTEL_STREAM_METRICS_PORT"]) == DEFAULTS["stream_metrics_port"]
    assert int(env["GRID_INTEL_EXPORTER_PORT"]) == DEFAULTS["exporter_port"]
    assert "0.0.0.0" in services["api"]["command"]
    assert str(DEFAULTS["api_port"]) in services["api"]["command"]
    for name in ("webserver", "api", "stream", "exporter"):
        url = next(a for a in services[name]["healthcheck"]["test"] if a.startswith("http://"))
        port = int(re.search(r":(\d+)/", url).group(1))
        assert port in container_ports(services[name]), f"{name} checks {url}"
    stream = services["stream"]["command"]
    assert stream[stream.index("--group") + 1] == StreamConfig.group


def test_depends_on_names_services_with_a_satisfiable_condition(services):
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions"
        for target, spec in deps.items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits on {target}'s health"
            else:
                assert condition == "service_completed_successfully", (name, condition)
                assert target in one_shot(services)


def test_app_services_reach_the_compose_database_and_broker(services):
    env = services["api"]["environment"]
    assert "@timescaledb:5432/" in env["GRID_INTEL_WAREHOUSE_URL"]
    assert env["GRID_INTEL_API_WAREHOUSE_URL"].startswith("postgresql://grid_intel_api:")
    assert env["GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert f"localhost:{DEFAULTS['kafka_port']}" in kafka["KAFKA_ADVERTISED_LISTENERS"]


def test_bind_mounts_exist_in_the_checkout(services):
    for name, svc in services.items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_observability_configs_mount_where_the_services_read_them(services):
    mounts = {
        (name, v.split(":")[0]): v.split(":")[1]
        for name, svc in services.items()
        for v in svc.get("volumes", [])
    }
    for key, target in OBSERVABILITY_MOUNTS.items():
        assert mounts.get(key) == target, key
        assert (ROOT / key[1]).exists(), f"{key[1]} is missing (infra/observability)"


def test_prometheus_scrapes_compose_services_on_their_ports(services):
    config = load_yaml(ROOT / "infra/observability/prometheus.compose.yml")
    ports = {name: container_ports(svc) for name, svc in services.items()}
    jobs = config.get("scrape_configs", [])
    targets = [
        t
        for job in jobs
        for static in job.get("static_configs", [])
        for t in static.get("targets", [])
    ]
    targets += [
        f"{name}:{dns['port']}"
        for job in jobs
        for dns in job.get("dns_sd_configs", [])
        for name in dns["names"]
    ]
    targets += [
        t
        for am in config.get("alerting", {}).get("alertmanagers", [])
        for static in am.get("static_configs", [])
        for t in static.get("targets", [])
    ]
    assert targets, "prometheus.compose.yml scrapes nothing"
    for target in targets:
        host, port = target.rsplit(":", 1)
        host = "prometheus" if host == "localhost" else host  # its own /metrics
        assert host in services, f"{target}: no compose service {host}"
        assert int(port) in ports[host], f"{target}: {host} does not listen on {port}"
    scraped = {t.rsplit(":", 1)[0] for t in targets}
    assert {"api", "stream", "exporter", "alertmanager"} <= scraped


def test_the_stream_processor_scales_and_prometheus_scrapes_every_replica(services):
    """`docker compose up --scale stream=N` needs the service to publish no fixed host
    port, and a static target would reach one replica per scrape."""
    stream = services["stream"]
    assert not host_ports(stream), "a published host port stops `--scale stream=N`"
    assert DEFAULTS["stream_metrics_port"] in container_ports(stream)
    config = load_yaml(ROOT / "infra/observability/prometheus.compose.yml")
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "grid_intel_stream"]
    assert "static_configs" not in job
    (dns,) = job["dns_sd_configs"]
    assert dns["names"] == ["stream"] and dns["type"] == "A"
    assert dns["port"] == DEFAULTS["stream_metrics_port"]


def test_grafana_provisioning_points_at_compose_paths_and_services(services):
    grafana = ROOT / "infra/observability/grafana/provisioning"
    (source,) = load_yaml(grafana / "datasources/prometheus.yml")["datasources"]
    host, port = source["url"].split("//")[1].rstrip("/").split(":")
    assert int(port) in host_ports(services[host]).values()
    dashboards = OBSERVABILITY_MOUNTS[("grafana", "./infra/observability/grafana/dashboards")]
    for provider_file in (grafana / "dashboards").glob("*.yml"):
        for provider in load_yaml(provider_file)["providers"]:
            assert provider["options"]["path"] == dashboards


# --- infra/docker ---------------------------------------------------------------------


def dockerfile() -> list[str]:
    text = (ROOT / "infra/docker/Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_dockerfile_is_multi_stage_locked_and_non_root(services):
    lines = dockerfile()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", "\n".join(lines), re.M))
    stages = re.findall(r"^FROM \S+ AS (\S+)$", "\n".join(lines), re.M)
    assert {"build", "runtime", "k8s"} <= set(stages)
    assert services["api"]["build"]["target"] in stages
    for image in (args["PYTHON_IMAGE"], args["NODE_IMAGE"]):
        assert pinned(image.split(":")[1]), image
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert args["PYTHON_IMAGE"].startswith("python:3.11.") and "3.11" in requires
    dev_sh = (ROOT / "infra/dev.sh").read_text()
    assert f"UV_VERSION={args['UV_VERSION']}" in dev_sh, "uv differs from infra/dev.sh"
    assert all("--frozen" in line for line in lines if "uv sync" in line)
    for stage in ("k8s", "runtime"):
        body = "\n".join(lines).split(f" AS {stage}\n", 1)[1].split("\nFROM ", 1)[0]
        user = re.findall(r"^USER (\S+)$", body, re.M)
        assert user and user[-1].split(":")[0] not in ("root", "0"), stage


def test_dockerfile_copies_only_paths_that_exist():
    for line in dockerfile():
        if line.startswith("COPY") and "--from=" not in line:
            for source in line.split()[1:-1]:
                if not source.startswith("--"):
                    assert (ROOT / source).exists(), line


def load_healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "healthcheck", ROOT / "infra/docker/healthcheck.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def http_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/ok" else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_healthcheck_script_passes_only_on_200(http_server):
    check = load_healthcheck()
    assert check.main(["http", f"{http_server}/ok"]) == 0
    assert check.main(["http", f"{http_server}/down"]) == 1
    assert check.main(["http", "http://127.0.0.1:9/"]) == 1
    assert check.main(["bogus"]) == 2


def test_topic_freshness_needs_a_recent_record():
    fresh = load_healthcheck().is_fresh
    assert fresh(newest_ms=1_000_000, now_ms=1_250_000, max_age_s=300)
    assert not fresh(newest_ms=1_000_000, now_ms=1_400_000, max_age_s=300)
    assert not fresh(newest_ms=None, now_ms=1_000, max_age_s=300)


# --- infra/terraform ------------------------------------------------------------------

HCL = hcl2.SerializationOptions(
    with_comments=False, strip_string_quotes=True, explicit_blocks=False
)


@pytest.fixture(scope="module")
def terraform() -> dict[str, dict[str, Any]]:
    return {
        path.name: hcl2.loads(path.read_text(), serialization_options=HCL)
        for path in sorted(TERRAFORM.glob("*.tf"))
    }


def blocks(terraform: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """`resource`/`data` blocks as {"type.name": body}; `variable`/`output` as {name: body}."""
    out = {}
    for doc in terraform.values():
        for entry in doc.get(kind, []):
            for first, body in entry.items():
                if kind in ("resource", "data"):
                    for name, inner in body.items():
                        out[f"{first}.{name}"] = inner
                else:
                    out[first] = body
    return out


def test_terraform_and_providers_are_pinned(terraform):
    settings = terraform["versions.tf"]["terraform"][0]
    assert settings["required_version"]
    providers = settings["required_providers"][0]
    assert {"aws", "kafka"} <= providers.keys()
    for name, spec in providers.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"]), f"{name}: {spec['version']}"


def test_terraform_declares_each_layer_in_its_file(terraform):
    def types(file: str) -> set[str]:
        return {t for entry in terraform[file].get("resource", []) for t in entry}

    assert {"aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_route_table"} <= types("vpc.tf")
    assert {"aws_eks_cluster", "aws_eks_node_group", "aws_eks_addon"} <= types("eks.tf")
    assert {"aws_db_instance", "aws_db_subnet_group"} <= types("rds.tf")
    assert {"aws_msk_cluster", "kafka_topic"} <= types("msk.tf")
    assert {"aws_s3_bucket", "aws_s3_bucket_public_access_block"} <= types("s3.tf")
    assert {"aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm"} <= types("cloudwatch.tf")
    resources = blocks(terraform, "resource")
    assert resources["aws_db_instance.main"]["engine"] == "postgres"
    assert resources["aws_db_instance.main"]["publicly_accessible"] is False
    assert resources["aws_msk_cluster.kafka"]["number_of_broker_nodes"] == "${var.msk_broker_count}"


def test_topic_variables_default_to_the_code_spec(terraform):
    default = blocks(terraform, "variable")["kafka_topics"]["default"]
    assert default == {
        t.name: {"partitions": t.partitions, "retention_ms": t.retention_ms} for t in TOPICS
    }


def test_topics_take_partitions_and_retention_from_the_variable(terraform):
    topic = blocks(terraform, "resource")["kafka_topic.platform"]
    assert topic["for_each"] == "${var.kafka_topics}"
    assert topic["partitions"] == "${each.value.partitions}"
    assert "each.value.retention_ms" in topic["config"]["retention.ms"]
    for key, value in SENSOR_READINGS.configs.items():  # the same configs `stack up` sets
        assert key in topic["config"]
        if key != "retention.ms":
            assert topic["config"][key] == value


def test_every_terraform_reference_is_declared(terraform):
    resources = blocks(terraform, "resource")
    data = blocks(terraform, "data")
    variables = blocks(terraform, "variable")
    locals_ = {k for doc in terraform.values() for entry in doc.get("locals", []) for k in entry}
    text = "\n".join(str(doc) for doc in terraform.values())
    for kind, name in re.findall(r"(?<![\w.])((?:aws|kafka)_\w+)\.(\w+)", text):
        assert f"{kind}.{name}" in resources, f"undeclared resource {kind}.{name}"
    for kind, name in re.findall(r"(?<![\w.])data\.(\w+)\.(\w+)", text):
        assert f"{kind}.{name}" in data, f"undeclared data {kind}.{name}"
    for name in re.findall(r"(?<![\w.])var\.(\w+)", text):
        assert name in variables, f"undeclared variable {name}"
    for name in re.findall(r"(?<![\w.])local\.(\w+)", text):
        assert name in locals_, f"undeclared local {name}"


def test_lag_alarms_watch_the_platform_consumer_groups(terraform):
    from grid_intel.defs.bronze.assets import LAG_GROUP

    variables = blocks(terraform, "variable")
    assert variables["stream_consumer_group"]["default"] == StreamConfig.group
    assert variables["bronze_consumer_group"]["default"] == LAG_GROUP
    alarms = blocks(terraform, "resource")
    assert alarms["aws_cloudwatch_metric_alarm.stream_lag"]["dimensions"]["Consumer Group"] == (
        "${var.stream_consumer_group}"
    )


def test_pod_identity_covers_the_charts_service_accounts(terraform):
    accounts = blocks(terraform, "variable")["k8s_service_accounts"]["default"]
    assert load_yaml(HELM / "dagster-values.yaml")["global"]["serviceAccountName"] in accounts
    assert load_yaml(CHART / "values.yaml")["serviceAccount"]["name"] in accounts


# --- infra/helm -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dagster_values() -> dict[str, Any]:
    return load_yaml(HELM / "dagster-values.yaml")


@pytest.fixture(scope="module")
def chart_values() -> dict[str, Any]:
    return load_yaml(CHART / "values.yaml")


def test_dagster_runs_each_run_in_its_own_pod(dagster_values, chart_values):
    launcher = dagster_values["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    k8s = launcher["config"]["k8sRunLauncher"]
    assert {"name": chart_values["envConfigMapName"]} in k8s["envConfigMaps"]
    assert {"name": chart_values["secretName"]} in k8s["envSecrets"]
    pods = k8s["runK8sConfig"]["podSpecConfig"]
    assert pods["nodeSelector"] == {"grid-intel/pool": "runs"}
    assert pods["tolerations"][0]["key"] == "grid-intel/runs"


def test_dagster_images_are_pinned_to_the_locked_dagster(dagster_values):
    import dagster as dg

    for component in ("dagsterWebserver", "dagsterDaemon"):
        assert dagster_values[component]["image"]["tag"] == dg.__version__, component
    for deployment in dagster_values["dagster-user-deployments"]["deployments"]:
        assert pinned(deployment["image"]["tag"]), deployment["name"]
    assert pinned(dagster_values["postgresql"]["image"]["tag"], parts=2)


def test_user_code_loads_the_projects_definitions(dagster_values):
    module = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["dagster"]["module_name"]
    (deployment,) = dagster_values["dagster-user-deployments"]["deployments"]
    assert deployment["codeServerArgs"] == ["-m", module]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True


def test_dagster_storage_is_the_external_postgres(dagster_values):
    pg = dagster_values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlDatabase"] == "dagster"
    assert dagster_values["generatePostgresqlPasswordSecret"] is False


def test_run_queue_keeps_dagster_yaml_intent(dagster_values):
    instance = load_yaml(ROOT / "dagster.yaml")
    local_runs = instance["concurrency"]["runs"]
    (local_backfill,) = local_runs["tag_concurrency_limits"]
    daemon = dagster_values["dagsterDaemon"]
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    runs = dagster_values["concurrency"]["runs"]
    (backfill,) = runs["tagConcurrencyLimits"]
    assert backfill["key"] == local_backfill["key"] == "dagster/backfill"
    # The same share of run slots for backfills as on the two-core machine.
    assert backfill["limit"] / runs["maxConcurrentRuns"] == (
        local_backfill["limit"] / local_runs["max_concurrent_runs"]
    )
    assert (
        daemon["runMonitoring"]["startTimeoutSeconds"]
        == (instance["run_monitoring"]["start_timeout_seconds"])
    )
    assert daemon["runRetries"]["maxRetries"] == instance["run_retries"]["max_retries"]


def test_grid_intel_chart_matches_the_code(chart_values):
    chart = load_yaml(CHART / "Chart.yaml")
    assert chart["apiVersion"] == "v2" and chart["name"] == "grid-intel"
    assert pinned(chart_values["image"]["tag"])
    assert pinned(chart_values["migrate"]["postgresImage"]["tag"], parts=2)
    stream = chart_values["stream"]
    assert stream["readingsPartitions"] == SENSOR_READINGS.partitions
    assert 1 <= stream["replicas"] <= SENSOR_READINGS.partitions
    assert stream["group"] == StreamConfig.group
    assert stream["metricsPort"] == DEFAULTS["stream_metrics_port"]
    assert chart_values["api"]["port"] == DEFAULTS["api_port"]
    assert chart_values["exporter"]["port"] == DEFAULTS["exporter_port"]
    assert chart_values["env"]["GRID_INTEL_METRICS_HOST"] == "0.0.0.0"
    templates = {p.name for p in (CHART / "templates").iterdir()}
    assert {"api.yaml", "stream.yaml", "exporter.yaml", "migrate-job.yaml"} <= templates


def test_kubernetes_mounts_the_landing_prefix_where_the_settings_read(
    dagster_values, chart_values, terraform
):
    """The landing sensor scans in the code server and archive assets load in run pods:
    both mount the chart's claim, read-only, at GRID_INTEL_LANDING_DIR, as the user
    the volume's files are owned by."""
    landing = chart_values["landing"]
    (deployment,) = dagster_values["dagster-user-deployments"]["deployments"]
    launcher = dagster_values["runLauncher"]["config"]["k8sRunLauncher"]
    containers = {
        "code server": deployment["securityContext"],
        "run pods": launcher["runK8sConfig"]["containerConfig"]["securityContext"],
    }
    for where, spec in (("code server", deployment), ("run pods", launcher)):
        (volume,) = [v for v in spec["volumes"] if "persistentVolumeClaim" in v]
        claim = {"claimName": landing["claimName"], "readOnly": True}
        assert volume["persistentVolumeClaim"] == claim, where
        (mount,) = [m for m in spec["volumeMounts"] if m["name"] == volume["name"]]
        assert mount["mountPath"] == chart_values["env"]["GRID_INTEL_LANDING_DIR"], where
        assert mount["readOnly"] is True, where
        assert containers[where]["runAsUser"] == chart_values["podSecurityContext"]["runAsUser"]
    # Mountpoint shows every file as owned by the uid and gid in the volume's options.
    template = (CHART / "templates" / "landing-volume.yaml").read_text()
    for option in (
        "read-only",
        "uid={{ .Values.podSecurityContext.runAsUser }}",
        "driver: s3.csi.aws.com",
    ):
        assert option in template
    assert template.count(".Values.landing.claimName") >= 3  # the PV's claimRef, the PVC
    # The data bucket (compute logs' too) and the prefix and region Terraform set up.
    logs = dagster_values["computeLogManager"]["config"]["s3ComputeLogManager"]
    assert landing["bucket"] == logs["bucket"]
    variables = blocks(terraform, "variable")
    assert landing["prefix"] == variables["landing_prefix"]["default"]
    assert landing["region"] == variables["region"]["default"] == logs["region"]


def test_the_landing_mount_can_read_its_prefix_and_nothing_else(terraform):
    addon = blocks(terraform, "resource")["aws_eks_addon.landing_mount"]
    assert addon["addon_name"] == "aws-mountpoint-s3-csi-driver"
    (identity,) = addon["pod_identity_association"]
    assert identity["role_arn"] == "${aws_iam_role.landing_mount.arn}"
    assert "tolerateAllTaints" in addon["configuration_values"]  # the tainted run pool
    statements = blocks(terraform, "data")["aws_iam_policy_document.landing_mount"]["statement"]
    by_action = {a: s for s in statements for a in s["actions"]}
    assert by_action.keys() == {"s3:ListBucket", "s3:GetObject"}
    assert by_action["s3:GetObject"]["resources"] == [
        "${aws_s3_bucket.data.arn}/${var.landing_prefix}*"
    ]
    (listing,) = by_action["s3:ListBucket"]["condition"]
    assert listing["variable"] == "s3:prefix" and listing["values"] == ["${var.landing_prefix}*"]
    (rule,) = [
        r
        for r in blocks(terraform, "resource")["aws_s3_bucket_lifecycle_configuration.data"]["rule"]
        if r["id"] == "archive-landing"
    ]
    assert rule["filter"][0]["prefix"] == "${var.landing_prefix}"


# --- .github/workflows ----------------------------------------------------------------


def test_pods_reach_msk_over_its_tls_listener_only(terraform, chart_values):
    """Terraform leaves MSK only TLS; the chart's env makes every client speak it."""
    assert blocks(terraform, "variable")["msk_client_broker"]["default"] == "TLS"
    protocol = blocks(terraform, "output")["kafka_security_protocol"]["value"]
    assert re.search(r'msk_client_broker == "TLS" \? "SSL" : "PLAINTEXT"', protocol), protocol
    assert (
        blocks(terraform, "provider")["kafka"]["tls_enabled"] == '${var.msk_client_broker == "TLS"}'
    )
    env = chart_values["env"]
    assert env["GRID_INTEL_KAFKA_SECURITY_PROTOCOL"] == "SSL"
    assert "GRID_INTEL_KAFKA_SSL_CAFILE" not in env  # MSK's CA is public: the system store
    brokers = env["GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS"].split(",")
    assert all(b.endswith(":9094") for b in brokers), brokers
    settings = Settings(
        _env_file=None,
        kafka_bootstrap_servers=env["GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_security_protocol=env["GRID_INTEL_KAFKA_SECURITY_PROTOCOL"],
    )
    assert settings.kafka_security.client_options() == {
        "security_protocol": "SSL",
        "ssl_check_hostname": True,
    }


def test_ci_workflow_runs_ci_run_within_its_budget():
    workflow = load_yaml(ROOT / ".github/workflows/ci.yml")
    (job,) = workflow["jobs"].values()
    assert job["timeout-minutes"] >= 90
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert re.search(r"^bash \.ci/run$", runs, re.M)
    assert "python3 --version | grep -q '^Python 3\\.11\\.'" in runs
    assert 'version "17' in runs
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/cache@") for u in uses)
    for action in uses:
        ref = action.split("@")[1]
        assert pinned(ref) or re.fullmatch(r"[0-9a-f]{40}", ref), action
    assert pinned(job["container"]["image"].split(":")[1], parts=2)
