{{ config(
    pre_hook="{{ clear_window('ts') }}",
    post_hook="{{ hypertable('ts') }}",
) }}

-- One row per point and scan time, in the measurement's canonical unit, with
-- flags saying what is wrong with it and one quality code. A message delivered
-- twice (producer retry, replay) keeps its latest copy; `copies` says how many
-- arrived. The step check compares each reading with the point's previous one,
-- reaching one minute before the window so the first scan of an hour is checked.
with raw as (
    select ts, point_id, value, quality, kafka_partition, kafka_offset
    from {{ source('bronze', 'sensor_readings') }}
    where ts >= {{ window_start() }} - interval '1 minute'
      and ts < {{ window_end() }}
),

deduplicated as (
    select
        *,
        row_number() over latest as copy_rank,
        count(*) over (partition by point_id, ts) as copies
    from raw
    window latest as (partition by point_id, ts order by kafka_partition desc, kafka_offset desc)
),

normalised as (
    select
        d.ts,
        d.point_id,
        p.rtu,
        p.substation,
        p.region,
        p.asset,
        p.asset_kind,
        p.measurement,
        d.value * p.factor + p.add_offset as value,
        p.unit,
        d.value as raw_value,
        p.raw_unit,
        p.low,
        p.high,
        p.max_step_abs,
        p.max_step_rel,
        p.point_id is null as unknown_point,
        d.value is null or coalesce(d.quality, 'good') <> 'good' as source_bad,
        d.copies,
        d.kafka_partition,
        d.kafka_offset
    from deduplicated as d
    left join {{ ref('scada_points') }} as p on p.point_id = d.point_id
    where d.copy_rank = 1
),

stepped as (
    select
        *,
        lag(value) over (partition by point_id order by ts) as previous_value
    from normalised
),

flagged as (
    select
        *,
        not unknown_point and not source_bad
            and (value < low or value > high) as out_of_range,
        not unknown_point and not source_bad and previous_value is not null
            and max_step_abs is not null
            and abs(value - previous_value)
                > max_step_abs + max_step_rel * abs(previous_value) as is_spike
    from stepped
)

select
    ts,
    point_id,
    rtu,
    substation,
    region,
    asset,
    asset_kind,
    measurement,
    value,
    unit,
    raw_value,
    raw_unit,
    case
        when unknown_point then 'bad_unknown_point'
        when source_bad then 'bad_source'
        when out_of_range then 'bad_out_of_range'
        when is_spike then 'uncertain_spike'
        else 'good'
    end as quality_code,
    unknown_point,
    source_bad,
    coalesce(out_of_range, false) as out_of_range,
    coalesce(is_spike, false) as is_spike,
    copies::integer as copies,
    kafka_partition,
    kafka_offset
from flagged
where {{ in_window('ts') }}
