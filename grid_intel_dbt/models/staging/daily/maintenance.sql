{{ config(
    pre_hook="{{ clear_window('ts') }}",
    post_hook="{{ hypertable('ts') }}",
) }}

-- Maintenance work orders, one row per order (its latest export), with the time
-- the asset was actually worked on where the order was carried out.
select distinct on (work_order_id)
    ts,
    work_order_id,
    asset,
    asset_kind,
    substation,
    region,
    kind,
    status,
    priority,
    planned_start_utc,
    opened_utc,
    completed_utc,
    case when completed_utc is not null and opened_utc is not null
        then extract(epoch from completed_utc - opened_utc) / 3600.0
    end as elapsed_hours,
    crew_hours,
    outage_id,
    cardinality(breakers_opened) as breakers_opened
from {{ source('bronze', 'work_orders') }}
where {{ in_window('ts') }}
order by work_order_id, ts desc, loaded_at desc
