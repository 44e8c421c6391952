"""The Prometheus, Alertmanager and Grafana files under infra/observability: valid for
the real tools, and speaking only of metrics the code really registers."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY, Metric

from grid_intel.api.metrics import Metrics
from grid_intel.broker.security import KafkaSecurity
from grid_intel.observability.ingestion import IngestionCollector
from grid_intel.settings import project_root
from grid_intel.streaming.metrics import StreamMetrics
from grid_intel_tests.conftest import unavailable

ROOT = project_root() / "infra" / "observability"
RULES = ROOT / "rules" / "grid_intel.rules.yml"
DASHBOARDS = sorted((ROOT / "grafana" / "dashboards").glob("*.json"))
FROM_PROMETHEUS = {"up"}  # series Prometheus itself writes for each target
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"`{name}` is not installed (Debian: prometheus, prometheus-alertmanager)")
    return path


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def series_names(family: Metric) -> set[str]:
    """Every series name a family can expose, labelled children or not."""
    return {family.name + s for s in SUFFIXES[family.type]}


def families() -> list[Metric]:
    """What the services register: the API's own registry and the process-wide one
    (stream relay, process collectors), a stream processor's, the exporter's."""
    import grid_intel.api.relay  # noqa: F401  (registers the relay's metrics)

    api = list(Metrics().registry.collect()) + list(REGISTRY.collect())
    stream = list(StreamMetrics().registry.collect())
    exporter = IngestionCollector(
        "postgresql://unused/x", "unused:9092", KafkaSecurity()
    ).describe()
    return api + stream + exporter


def registered() -> set[str]:
    return {n for f in families() for n in series_names(f)}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers left once strings, label
    matchers, ranges and grouping clauses are removed, that are not calls or keywords."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    s = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for m in re.finditer(r"(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?", s):
        if m.group(2) is None and m.group(1).lower() not in KEYWORDS:
            names.add(m.group(1))
    return names


def rule_exprs() -> dict[str, str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {r.get("alert") or r["record"]: r["expr"] for g in groups for r in g["rules"]}


def dashboard_exprs() -> dict[str, list[str]]:
    return {
        p.name: [
            t["expr"] for panel in json.loads(p.read_text())["panels"] for t in panel["targets"]
        ]
        for p in DASHBOARDS
    }


def test_metric_names_are_found_in_promql():
    expr = (
        'sum by (route, le) (rate(x_bucket{status=~"5..", a="b"}[5m])) / on (job) y > 0.5'
        " and z offset 5m unless time() - w_total"
    )
    assert metric_names(expr) == {"x_bucket", "y", "z", "w_total"}
    assert metric_names("rate(a_total[$__rate_interval]) * 1e3") == {"a_total"}


def test_the_registries_hold_each_services_metrics():
    names = registered()
    assert {
        "grid_intel_api_requests_total",
        "grid_intel_api_request_duration_seconds_bucket",
        "grid_intel_api_stream_clients",
        "grid_intel_stream_consumer_lag_messages",
        "grid_intel_stream_poll_loop_duration_seconds_count",
        "grid_intel_ingestion_loads_total",
        "grid_intel_ingestion_kafka_lag_messages",
    } <= names
    assert "grid_intel_stream_records" not in names  # a counter is exposed as _total


def test_rules_and_dashboards_use_only_registered_metrics():
    known = registered() | FROM_PROMETHEUS | set(rule_exprs())
    used = {f"rule {n}": metric_names(e) for n, e in rule_exprs().items()}
    for name, exprs in dashboard_exprs().items():
        for i, e in enumerate(exprs):
            used[f"{name} target {i}"] = metric_names(e)
    unknown = {where: sorted(n - known) for where, n in used.items() if n - known}
    assert not unknown, f"metrics nobody registers: {unknown}"
    assert all(used.values()), "an expression without any metric"


def test_dashboards_chart_every_platform_metric():
    charted = {n for exprs in dashboard_exprs().values() for e in exprs for n in metric_names(e)}
    missing = {
        f.name
        for f in families()
        if f.name.startswith("grid_intel_") and not series_names(f) & charted
    }
    assert not missing, f"exported but on no dashboard: {sorted(missing)}"


def test_dashboards_are_valid_with_unique_panel_ids():
    assert {p.stem for p in DASHBOARDS} >= {
        "grid_intel_api",
        "grid_intel_stream",
        "grid_intel_ingestion",
    }
    datasource = yaml.safe_load(
        (ROOT / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]["uid"]
    uids = set()
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        assert board["uid"] not in uids
        uids.add(board["uid"])
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == datasource, (path.name, panel["title"])
            assert panel["targets"] and all(t["expr"] for t in panel["targets"])
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs))


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_promtool_accepts_the_config_and_its_rules(config: str):
    done = run(tool("promtool"), "check", "config", config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 1 rule files found" in done.stdout  # the rules glob matched the file


def test_promtool_checks_the_rules_and_their_unit_tests_pass():
    promtool = tool("promtool")
    checked = run(promtool, "check", "rules", RULES)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rule_exprs())} rules found" in checked.stdout
    tested = run(promtool, "test", "rules", "grid_intel.rules.test.yml", cwd=RULES.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_unit_test_and_a_routed_severity():
    tests = yaml.safe_load((RULES.parent / "grid_intel.rules.test.yml").read_text())["tests"]
    tested = {
        t["alertname"]
        for case in tests
        for t in case["alert_rule_test"]
        if t["exp_alerts"]  # a case that fires, beside the ones that stay quiet
    }
    assert tested == set(rule_exprs())
    groups = yaml.safe_load(RULES.read_text())["groups"]
    severities = {r["labels"]["severity"] for g in groups for r in g["rules"]}
    assert severities == {"critical", "warning"}


def test_amtool_accepts_the_config_and_routes_by_severity():
    amtool = tool("amtool")
    checked = run(amtool, "check-config", "alertmanager.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for severity, receiver in (
        ("critical", "grid-intel-oncall"),
        ("warning", "grid-intel-warnings"),
    ):
        routed = run(
            amtool,
            "config",
            "routes",
            "test",
            "--config.file=alertmanager.yml",
            f"--verify.receivers={receiver}",
            f"severity={severity}",
            "alertname=GridIntelTargetDown",
        )
        assert routed.returncode == 0, routed.stdout + routed.stderr
