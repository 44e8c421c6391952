{{ config(
    pre_hook="{{ clear_window('hour') }}",
    post_hook="{{ hypertable('hour') }}",
) }}

-- Per point and hour: min, max, mean and 95th percentile of the good readings,
-- how many there were, and availability: good readings over the scans the
-- point's RTU should have sent in the hour.
select
    date_trunc('hour', v.ts, 'UTC') as hour,
    v.substation,
    v.region,
    v.asset,
    v.asset_kind,
    v.point_id,
    v.measurement,
    v.unit,
    min(v.value) filter (where v.quality_code = 'good') as min_value,
    max(v.value) filter (where v.quality_code = 'good') as max_value,
    avg(v.value) filter (where v.quality_code = 'good') as mean_value,
    percentile_cont(0.95) within group (order by v.value)
        filter (where v.quality_code = 'good') as p95_value,
    count(*) filter (where v.quality_code = 'good') as readings,
    count(*) as readings_received,
    round(3600 / p.scan_interval_s)::integer as readings_expected,
    least(1.0, count(*) filter (where v.quality_code = 'good') / (3600 / p.scan_interval_s))
        as availability
from {{ ref('validated_readings') }} as v
join {{ ref('scada_points') }} as p on p.point_id = v.point_id
where {{ in_window('v.ts', 'hour') }}
group by 1, 2, 3, 4, 5, 6, 7, 8, p.scan_interval_s
