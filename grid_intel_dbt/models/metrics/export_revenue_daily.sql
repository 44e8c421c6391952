{{ config(
    pre_hook="{{ clear_window('day', grain='day') }}",
) }}

-- A proxy for export revenue per UTC day on the MISO tie: each hour's net
-- export (MWh) priced at that hour's day-ahead LMP at the Manitoba interface
-- (MHEB). Imports count as cost. Settlement terms (contracts, real-time
-- deviations, transmission charges) are not modelled.
with ties as (
    select i.hour, i.net_export_mw
    from {{ ref('interchange_hourly') }} as i
    join {{ ref('interties') }} as t on t.intertie = i.intertie
    where t.counterparty = 'MHEB-MISO'
      and {{ in_window('i.hour', 'day', 'day') }}
),

priced as (
    select
        ties.hour,
        ties.net_export_mw,
        p.da_lmp
    from ties
    left join {{ ref('prices_hourly') }} as p on p.hour = ties.hour and p.location = 'MHEB'
)

select
    date_trunc('day', hour, 'UTC') as day,
    sum(greatest(net_export_mw, 0)) as export_mwh,
    sum(greatest(-net_export_mw, 0)) as import_mwh,
    sum(net_export_mw * da_lmp) as revenue_proxy_usd,
    sum(net_export_mw * da_lmp) / nullif(sum(net_export_mw) filter (where da_lmp is not null), 0)
        as realised_price_usd_per_mwh,
    count(*) as hours_reported,
    count(da_lmp) as hours_priced
from priced
group by 1
