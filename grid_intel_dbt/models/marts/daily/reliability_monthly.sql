{{ config(
    pre_hook="{{ clear_window('month', months=true) }}",
) }}

-- The IEEE 1366 indices per calendar month (UTC), per region and for the
-- province ('MB'), summed from the month's days so far: each daily run
-- recomputes its whole month.
with days as (
    select *
    from {{ ref('reliability_daily') }}
    where {{ in_window_months('day', 'month') }}
)

select
    date_trunc('month', day, 'UTC') as month,
    region,
    count(*) as days,
    max(customers_served) as customers_served,
    sum(customer_interruptions) as customer_interruptions,
    sum(customer_minutes) as customer_minutes,
    sum(momentary_interruptions) as momentary_interruptions,
    sum(customer_interruptions)::double precision / nullif(max(customers_served), 0) as saifi,
    sum(customer_minutes) / nullif(max(customers_served), 0) as saidi_minutes,
    sum(customer_minutes) / nullif(sum(customer_interruptions), 0) as caidi_minutes,
    sum(momentary_interruptions)::double precision / nullif(max(customers_served), 0) as maifi
from days
group by 1, 2
