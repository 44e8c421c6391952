{{ config(
    pre_hook="{{ clear_window('day', grain='day') }}",
) }}

-- Provincial peak demand per UTC day (the highest hourly mean of the summed
-- regional loads), the hour it fell in, and the reserve margin: installed
-- grid-connected capacity above that peak, as a share of the peak.
with province as (
    select hour, sum(demand_mw) as demand_mw, count(*) as regions
    from {{ ref('demand_hourly') }}
    where {{ in_window('hour', 'day', 'day') }}
    group by 1
),

ranked as (
    select
        date_trunc('day', hour, 'UTC') as day,
        hour,
        demand_mw,
        regions,
        row_number() over (partition by date_trunc('day', hour, 'UTC') order by demand_mw desc) as rank,
        count(*) over (partition by date_trunc('day', hour, 'UTC')) as hours_reported,
        avg(demand_mw) over (partition by date_trunc('day', hour, 'UTC')) as mean_demand_mw
    from province
),

capacity as (
    select sum(capacity_mw) as capacity_mw
    from {{ ref('stations') }}
    where grid_connected
)

select
    r.day,
    r.demand_mw as peak_demand_mw,
    r.hour as peak_hour,
    r.mean_demand_mw,
    r.mean_demand_mw / nullif(r.demand_mw, 0) as load_factor,
    r.hours_reported,
    c.capacity_mw as installed_capacity_mw,
    100.0 * (c.capacity_mw - r.demand_mw) / nullif(r.demand_mw, 0) as reserve_margin_pct
from ranked as r
cross join capacity as c
where r.rank = 1
