{{ config(
    pre_hook="{{ clear_window('start_utc') }}",
    post_hook="{{ hypertable('start_utc') }}",
) }}

-- Outages as IEEE 1366 counts them: an interruption shorter than 5 minutes is
-- momentary (MAIFI), the rest sustained (SAIFI, SAIDI); each counts on the day
-- supply was lost.
select distinct on (outage_id)
    outage_id,
    start_utc,
    end_utc,
    duration_min,
    breaker,
    protected_asset,
    substation,
    region,
    customers_affected,
    customer_minutes,
    cause,
    duration_min < 5 as momentary
from {{ source('bronze', 'outages') }}
where {{ in_window('start_utc', 'start_utc') }}
order by outage_id, loaded_at desc
