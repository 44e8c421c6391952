#!/usr/bin/env bash
# The project's entry point on a fresh machine: installs what is missing (system
# tools, uv, the locked Python environment), then runs one task.
#
#   bash infra/dev.sh demo [--hours N]   local stack up, tracer data through every layer, UI up
#   bash infra/dev.sh test [pytest args]  the test suite on the real stack (started and stopped)
#   bash infra/dev.sh test --unit-beside  the same, the unit tier in a second process (CI)
#   bash infra/dev.sh lint                ruff
#   bash infra/dev.sh setup               install only
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
say() { printf '[dev] %s\n' "$*" >&2; }

ensure_system_tools() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)  # the dashboard's browser tests
  command -v promtool >/dev/null || missing+=(prometheus)  # scrape test, rule checks
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      say "installing ${missing[*]} with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
      say "missing system tools: ${missing[*]}; install them (Debian: apt-get install ${missing[*]})"
      exit 1
    fi
  fi
}

uv_cmd() {
  if ! python3 -m uv --version >/dev/null 2>&1; then
    say "installing uv ${UV_VERSION}"
    python3 -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
  fi
  python3 -m uv "$@"
}

setup() {
  ensure_system_tools
  say "syncing the locked Python environment (.venv)"
  uv_cmd sync --frozen --quiet
  if [[ ! -d infra/dashboard/node_modules ]]; then
    say "installing the dashboard's charting library (infra/dashboard)"
    (cd infra/dashboard && npm ci --no-audit --no-fund)
  fi
}

pytest_run() {  # pytest exits 5 when it collected nothing: a failure, not a pass
  local rc=0
  uv_cmd run --frozen pytest --durations=30 "$@" || rc=$?
  if [[ $rc == 5 ]]; then
    say "pytest collected no tests: that is a failure, not a pass"
    return 1
  fi
  return $rc
}

task=${1:-}
shift || true
case "$task" in
  setup)
    setup
    ;;
  demo)
    setup
    uv_cmd run --frozen grid-intel demo "$@"
    ;;
  test)
    setup
    uv_cmd run --frozen grid-intel dbt-prepare
    if [[ ${1:-} == --unit-beside ]]; then
      shift
      # The unit tier needs no service and keeps one core busy; the other tiers spend
      # much of their time waiting on PostgreSQL, Kafka, dbt and Dagster processes.
      # Run side by side, the suite ends minutes sooner on 2 cores (docs/testing.md).
      mkdir -p .state/ci
      say "unit tier in a second pytest process (its output follows the others')"
      pytest_run -m unit --junitxml=.state/ci/junit-unit.xml "$@" >.state/ci/unit.log 2>&1 &
      unit_pid=$!
      rest=0 unit=0
      pytest_run -m "not unit" --junitxml=.state/ci/junit.xml "$@" || rest=$?
      wait "$unit_pid" || unit=$?
      say "the unit tier's output:"
      cat .state/ci/unit.log
      say "tiers other than unit: exit ${rest}; unit tier: exit ${unit}"
      ((rest == 0 && unit == 0)) || exit 1
      exit 0
    fi
    pytest_run "$@"
    ;;
  lint)
    setup
    uv_cmd run --frozen ruff check .
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
