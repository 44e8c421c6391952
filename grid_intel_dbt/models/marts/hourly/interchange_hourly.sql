{{ config(
    materialized=rollup_materialization(),
    pre_hook="{{ rollup_clear() }}",
    post_hook=after_commit("{{ rollup_refresh() }}"),
    refresh_now=false,
    persist_docs={'relation': not is_timescale(), 'columns': not is_timescale()},
) }}

{#- TimescaleDB keeps a continuous aggregate as a view, which `comment on
    materialized view` (persist_docs) cannot reach: its docs live in dbt docs. -#}

-- Net export per intertie and hour (mean MW of the metered tie flow, positive
-- out of Manitoba), from good readings. On TimescaleDB a continuous aggregate
-- refreshed per window; on PostgreSQL an incremental table.
select
    {{ hour_bucket('ts') }} as hour,
    asset as intertie,
    avg(value) as net_export_mw,
    min(value) as min_net_export_mw,
    max(value) as max_net_export_mw,
    count(*) as readings
from {{ ref('validated_readings') }}
where asset_kind = 'intertie'
  and measurement = 'active_power_mw'
  and quality_code = 'good'
  and {{ rollup_window('ts') }}
group by 1, 2
