{{ config(
    pre_hook="{{ clear_window('hour') }}",
    post_hook="{{ hypertable('hour') }}",
) }}

-- Per transformer and hour, insulation ageing from the measured hot spot (IEEE
-- C57.91 clause 7): the mean ageing acceleration factor F_AA over the hour's good
-- readings (F_AA is convex, so the mean of F_AA, not F_AA of the mean), the IEC
-- 60076-7 relative ageing for non-upgraded paper, and time above the loading limits.
with hot_spot as (
    select
        date_trunc('hour', v.ts, 'UTC') as hour,
        v.asset,
        v.substation,
        v.region,
        v.value as hot_spot_c,
        p.scan_interval_s
    from {{ ref('validated_readings') }} as v
    join {{ ref('scada_points') }} as p on p.point_id = v.point_id
    where {{ in_window('v.ts', 'hour') }}
      and v.asset_kind = 'transformer'
      and v.measurement = 'hot_spot_temp_c'
      and v.quality_code = 'good'
)

select
    hour,
    asset,
    substation,
    region,
    count(*) as readings,
    avg(hot_spot_c) as hot_spot_mean_c,
    max(hot_spot_c) as hot_spot_max_c,
    avg(exp(15000.0 / 383.0 - 15000.0 / (hot_spot_c + 273.0))) as faa_mean,
    avg(power(2.0, (hot_spot_c - 98.0) / 6.0)) as iec_relative_ageing_mean,
    sum(scan_interval_s) filter (where hot_spot_c > 110) / 60.0 as minutes_over_110c,
    sum(scan_interval_s) filter (where hot_spot_c > 120) / 60.0 as minutes_over_120c,
    sum(scan_interval_s) filter (where hot_spot_c > 140) / 60.0 as minutes_over_140c
from hot_spot
group by 1, 2, 3, 4
