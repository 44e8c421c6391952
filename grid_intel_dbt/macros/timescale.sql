{#- The one place the two lanes differ. On TimescaleDB a time-series model is a
    hypertable and the hourly rollup a continuous aggregate; on plain PostgreSQL
    both are incremental tables. -#}

{% macro is_timescale() -%}
    {{ return(target.type == 'timescaledb') }}
{%- endmacro %}

{#- Post-hook: turn a freshly created incremental table into a hypertable of
    1-day chunks (a no-op once it is one). On PostgreSQL, index the time column
    instead: every window's delete and every hourly check filters on it, and
    without the index each one reads the whole table (a week of readings made
    each hour's checks take 30 s). Only when the index is missing: `create index
    if not exists` takes a SHARE lock on the table even when the index exists, and
    two runs of the model over different windows deadlocked on it (one waiting for
    that lock, the other for persist_docs' comment lock). -#}
{% macro hypertable(time_column='ts') -%}
    {% if grid_intel.is_timescale() %}
    select create_hypertable('{{ this.schema }}.{{ this.identifier }}', by_range('{{ time_column }}', interval '1 day'),
                             if_not_exists => true, migrate_data => true)
    {% else %}
    {%- set index = this.identifier ~ '_' ~ time_column ~ '_idx' %}
    do $index$ begin
        if to_regclass('"{{ this.schema }}"."{{ index }}"') is null then
            create index if not exists "{{ index }}" on {{ this }} ("{{ time_column }}");
        end if;
    end $index$
    {% endif %}
{%- endmacro %}

{#- Materialization of an hourly rollup: a continuous aggregate or a table. -#}
{% macro rollup_materialization() -%}
    {{ return('continuous_aggregate' if grid_intel.is_timescale() else 'incremental') }}
{%- endmacro %}

{#- The hour bucket of a rollup (time_bucket is what continuous aggregates need). -#}
{% macro hour_bucket(column) -%}
    {%- if grid_intel.is_timescale() -%}
        time_bucket(interval '1 hour', {{ column }})
    {%- else -%}
        date_trunc('hour', {{ column }}, 'UTC')
    {%- endif -%}
{%- endmacro %}

{#- A rollup's source filter: the window on PostgreSQL, none in a continuous
    aggregate (it covers all time and is refreshed per window instead). -#}
{% macro rollup_window(column) -%}
    {%- if grid_intel.is_timescale() -%}
        true
    {%- else -%}
        {{ grid_intel.in_window(column, 'hour') }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a rollup: clear the window of the table (PostgreSQL only). -#}
{% macro rollup_clear() -%}
    {% if not grid_intel.is_timescale() %}{{ grid_intel.clear_window('hour') }}{% endif %}
{%- endmacro %}

{#- Post-hook of a rollup: refresh the continuous aggregate over the window,
    outside a transaction as TimescaleDB requires (TimescaleDB only). -#}
{% macro rollup_refresh() -%}
    {% if grid_intel.is_timescale() %}
    {{ adapter.marker_run_outside_transaction() }}
    call refresh_continuous_aggregate('{{ this.schema }}.{{ this.identifier }}',
        greatest({{ grid_intel.window_start('hour') }}, '2000-01-01'::timestamptz),
        least({{ grid_intel.window_end() }}, '2200-01-01'::timestamptz))
    {% endif %}
{%- endmacro %}
