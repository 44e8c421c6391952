{#- The partition window: Dagster passes it in GRID_INTEL_WINDOW_START/_END, read only
    while executing (a hand-run dbt passes it as --vars instead). Kept out of parsing, a
    run's window never invalidates dbt's partial-parsing state: window --vars made every
    Dagster run re-parse the whole project.

    With the permissive defaults (a hand-run `dbt run`), an incremental model
    starts `lookback_hours` before its latest row instead, so late data is
    picked up without rebuilding history. The model's SQL compiles, and its
    clearing pre-hook renders, before that pre-hook deletes anything, so both
    read the same latest row and agree on the start. -#}

{% macro window_bound(which) -%}
    {%- set default = var("window_" ~ which) -%}
    {%- if execute -%}
        {{- return(env_var("GRID_INTEL_WINDOW_" ~ which | upper, default)) -}}
    {%- endif -%}
    {{- return(default) -}}
{%- endmacro %}

{% macro window_start(this_column='ts', grain='hour') -%}
    {%- if execute and is_incremental() and window_is_all_time() -%}
        {%- set latest = run_query("select max(" ~ this_column ~ ") from " ~ this).columns[0].values()[0] -%}
        {%- if latest is none -%}
            '{{ window_bound("start") }}'::timestamptz
        {%- else -%}
            date_trunc('{{ grain }}', '{{ latest }}'::timestamptz - interval '{{ var("lookback_hours") }} hours', 'UTC')
        {%- endif -%}
    {%- else -%}
        '{{ window_bound("start") }}'::timestamptz
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    '{{ window_bound("end") }}'::timestamptz
{%- endmacro %}

{#- `column` inside the window, as a SQL predicate. -#}
{% macro in_window(column, this_column='ts', grain='hour') -%}
    {{ column }} >= {{ window_start(this_column, grain) }} and {{ column }} < {{ window_end() }}
{%- endmacro %}

{#- The months a window touches, for monthly rollups run per day. -#}
{% macro in_window_months(column, this_column='month') -%}
    {{ column }} >= date_trunc('month', {{ window_start(this_column) }}, 'UTC')
    and {{ column }} < date_trunc('month', {{ window_end() }} - interval '1 microsecond', 'UTC')
        + interval '1 month'
{%- endmacro %}

{#- On incremental runs, clear the window first so a re-run replaces it exactly,
    including rows whose source rows have since gone (the pre-hook runs in the
    same transaction as the insert). -#}
{% macro clear_window(column='ts', months=false, grain='hour') -%}
    {% if is_incremental() %}
    delete from {{ this }} where
        {% if months %}{{ in_window_months(column, column) }}{% else %}{{ in_window(column, column, grain) }}{% endif %}
    {% endif %}
{%- endmacro %}

{#- True when no window was passed (a hand-run dbt over all time). -#}
{% macro window_is_all_time() -%}
    {{ return(window_bound("start") == "1970-01-01T00:00:00+00:00") }}
{%- endmacro %}

{#- The UTC days of the window; over all time, the days `column` of `relation`
    spans (from the lookback start on incremental runs). -#}
{% macro window_days(relation, column, this_column='day') -%}
    {%- if window_is_all_time() -%}
    select day from (
        select generate_series(
            date_trunc('day', min({{ column }}), 'UTC'), max({{ column }}), interval '1 day') as day
        from {{ relation }}
    ) as days
    where day >= {{ window_start(this_column, 'day') }}
    {%- else -%}
    select generate_series(
        date_trunc('day', {{ window_start() }}, 'UTC'),
        {{ window_end() }} - interval '1 microsecond', interval '1 day') as day
    {%- endif -%}
{%- endmacro %}
