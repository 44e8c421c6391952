#!/usr/bin/env bash
# The project's entry point on a fresh machine: installs what is missing (system
# tools, uv, the locked Python environment), then runs one task.
#
#   bash infra/dev.sh demo [--days N]    the whole product on an empty local stack, then live
#   bash infra/dev.sh test [pytest args]  the test suite on the real stack (started and stopped)
#   bash infra/dev.sh test --beside FILE  the same in two processes, FILE's paths in the second (CI)
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

# Two pytest processes side by side (CI): the paths listed in FILE in the second, the
# rest in the first. The service tiers spend much of their time waiting on PostgreSQL,
# Kafka, dbt and Dagster processes, so the second core does the unit tier and what
# else FILE lists meanwhile (.ci/beside.txt says what may go there; docs/testing.md).
# The stack is started here, before both, so neither process stops it under the other.
beside_tests() {
  local list=$1 beside=() ignores=() rc_main=0 rc_beside=0 was_up=false
  shift
  mapfile -t beside < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$list")
  for path in "${beside[@]}"; do ignores+=("--ignore=${path}"); done
  mkdir -p .state/ci
  .venv/bin/grid-intel stack status >/dev/null 2>&1 && was_up=true
  uv_cmd run --frozen grid-intel stack up --timescale >&2
  say "second pytest process: ${beside[*]} (its output follows the first's)"
  pytest_run "${beside[@]}" --junitxml=.state/ci/junit-beside.xml "$@" \
    >.state/ci/beside.log 2>&1 &
  local pid=$!
  pytest_run "${ignores[@]}" --junitxml=.state/ci/junit.xml "$@" || rc_main=$?
  wait "$pid" || rc_beside=$?
  say "the second process's output:"
  cat .state/ci/beside.log
  [[ $was_up == true ]] || uv_cmd run --frozen grid-intel stack down >&2 || true
  say "first process: exit ${rc_main}; second process: exit ${rc_beside}"
  ((rc_main == 0 && rc_beside == 0))
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
    if [[ ${1:-} == --beside ]]; then
      beside_tests "${2:?--beside takes a file listing test paths}" "${@:3}"
      exit
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
