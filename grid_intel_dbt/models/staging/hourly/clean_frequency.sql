{{ config(
    pre_hook="{{ clear_window('ts') }}",
    post_hook="{{ hypertable('ts') }}",
) }}

-- One reading per region and instant: a message delivered twice (producer retry)
-- keeps its latest copy. Deviation and band flags follow the 59.9–60.1 Hz normal band.
with windowed as (
    select ts, region, frequency_hz, rocof_hz_per_s, kafka_partition, kafka_offset
    from {{ source('bronze', 'grid_frequency') }}
    where {{ in_window('ts') }}
),

deduplicated as (
    select distinct on (region, ts) *
    from windowed
    order by region, ts, kafka_partition desc, kafka_offset desc
)

select
    ts,
    region,
    frequency_hz,
    rocof_hz_per_s,
    frequency_hz - 60.0 as deviation_hz,
    frequency_hz between 59.9 and 60.1 as in_normal_band,
    kafka_partition,
    kafka_offset
from deduplicated
