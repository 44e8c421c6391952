{{ config(
    pre_hook="{{ clear_window('interval_start') }}",
    post_hook="{{ hypertable('interval_start') }}",
    indexes=[{'columns': ['location', 'market', 'interval_start']}],
) }}

-- MISO LMPs with gridstatus's column names, snake_cased: the market.prices stream
-- and MISO's published files in one table. Where both hold an interval, the
-- published file wins (it is the settled ex-post price); a stream message
-- delivered twice keeps its latest copy. The index serves the API's latest price per
-- node and market.
with stream as (
    select
        ts as interval_start,
        ts + make_interval(mins => interval_minutes) as interval_end,
        case market when 'DA' then 'DAY_AHEAD_HOURLY' else 'REAL_TIME_5_MIN' end as market,
        node as location,
        location_type,
        lmp,
        mec as energy,
        mcc as congestion,
        mlc as loss,
        'stream' as source,
        kafka_offset as rank_in_source
    from {{ source('bronze', 'market_prices') }}
    where {{ in_window('ts', 'interval_start') }}
),

published as (
    select
        interval_start,
        interval_end,
        market,
        location,
        location_type,
        lmp,
        energy,
        congestion,
        loss,
        'file' as source,
        0::bigint as rank_in_source
    from {{ source('bronze', 'miso_lmp') }}
    where {{ in_window('interval_start', 'interval_start') }}
),

combined as (
    select * from stream
    union all
    select * from published
)

select distinct on (interval_start, market, location)
    interval_start,
    interval_end,
    market,
    location,
    location_type,
    lmp,
    energy,
    congestion,
    loss,
    source
from combined
order by interval_start, market, location, (source = 'file') desc, rank_in_source desc
