{{ config(
    pre_hook="{{ clear_window('day', grain='day') }}",
) }}

-- IEEE 1366 indices per UTC day, per region and for the province ('MB'):
-- SAIFI = sustained customer interruptions / customers served, SAIDI = customer
-- minutes of sustained interruption / customers served, CAIDI = SAIDI / SAIFI,
-- MAIFI = momentary customer interruptions / customers served.
with days as (
    {{ window_days(ref('outages'), 'start_utc') }}
),

served as (
    select coalesce(region, 'MB') as region, sum(customers) as customers_served
    from {{ ref('substations') }}
    group by grouping sets ((region), ())
),

events as (
    select
        date_trunc('day', start_utc, 'UTC') as day,
        coalesce(region, 'MB') as region,
        sum(customers_affected) filter (where not momentary) as customer_interruptions,
        sum(customer_minutes) filter (where not momentary) as customer_minutes,
        sum(customers_affected) filter (where momentary) as momentary_interruptions,
        count(*) filter (where not momentary) as sustained_outages,
        count(*) filter (where momentary) as momentary_outages
    from {{ ref('outages') }}
    where {{ in_window('start_utc', 'day', 'day') }}
    group by grouping sets ((1, region), (1))
),

filled as (
    select
        d.day,
        s.region,
        s.customers_served,
        coalesce(e.customer_interruptions, 0) as customer_interruptions,
        coalesce(e.customer_minutes, 0) as customer_minutes,
        coalesce(e.momentary_interruptions, 0) as momentary_interruptions,
        coalesce(e.sustained_outages, 0) as sustained_outages,
        coalesce(e.momentary_outages, 0) as momentary_outages
    from days as d
    cross join served as s
    left join events as e on e.day = d.day and e.region = s.region
)

select
    day,
    region,
    customers_served,
    customer_interruptions,
    customer_minutes,
    momentary_interruptions,
    sustained_outages,
    momentary_outages,
    customer_interruptions::double precision / nullif(customers_served, 0) as saifi,
    customer_minutes / nullif(customers_served, 0) as saidi_minutes,
    customer_minutes / nullif(customer_interruptions, 0) as caidi_minutes,
    momentary_interruptions::double precision / nullif(customers_served, 0) as maifi
from filled
