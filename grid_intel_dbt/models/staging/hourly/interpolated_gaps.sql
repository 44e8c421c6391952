{{ config(
    pre_hook="{{ clear_window('minute') }}",
    post_hook="{{ hypertable('minute') }}",
) }}

{#- Fill policy: every point that reported in the window gets one row per minute.
    A minute with good readings holds their mean ("measured"). A minute without
    takes the last measured minute's value if that is at most `fill_limit_minutes`
    old ("carried_forward", last observation carried forward); otherwise it stays
    empty ("gap"). Values are never invented across a longer gap or before a
    point's first reading. TimescaleDB fills with time_bucket_gapfill/locf, plain
    PostgreSQL with generate_series; both give the same rows. -#}
{%- set limit = var("fill_limit_minutes") | int -%}
{%- set bounds_sql -%}
    select
        greatest(date_trunc('minute', min(ts)), {{ window_start('minute') }}),
        least(date_trunc('minute', max(ts)) + interval '1 minute', {{ window_end() }})
    from {{ ref('validated_readings') }}
    where {{ in_window('ts', 'minute') }}
{%- endset -%}
{#- Compiling (docs, a first build) before validated_readings exists finds no bounds. -#}
{%- set readings = load_relation(ref('validated_readings')) if execute else none -%}
{%- set bounds = run_query(bounds_sql).rows[0] if readings is not none else [none, none] -%}
{%- set lo = "'" ~ bounds[0] ~ "'::timestamptz" -%}
{%- set hi = "'" ~ bounds[1] ~ "'::timestamptz" -%}
{%- set look = lo ~ " - interval '" ~ limit ~ " minutes'" -%}

with
{% if bounds[0] is none %}
filled as (
    select null::text as point_id, null::timestamptz as minute, null::double precision as value,
           null::double precision as measured, null::timestamptz as last_measured
    where false
),
{% elif is_timescale() %}
filled as (
    select
        point_id,
        time_bucket_gapfill(interval '1 minute', ts, {{ look }}, {{ hi }}) as minute,
        avg(value) as measured,
        locf(avg(value)) as value,
        locf(max(date_trunc('minute', ts))) as last_measured
    from {{ ref('validated_readings') }}
    where ts >= {{ look }} and ts < {{ hi }} and quality_code = 'good'
    group by 1, 2
),
{% else %}
measured as (
    select point_id, date_trunc('minute', ts) as minute, avg(value) as measured
    from {{ ref('validated_readings') }}
    where ts >= {{ look }} and ts < {{ hi }} and quality_code = 'good'
    group by 1, 2
),

-- Each measured minute with the next one: the minutes between are the only ones to fill,
-- so the work grows with the readings and the gaps, not with points × minutes.
spans as (
    select
        point_id,
        minute,
        measured,
        coalesce(lead(minute) over (partition by point_id order by minute), {{ hi }}) as next_minute
    from measured
),

filled as (
    select point_id, minute, measured, measured as value, minute as last_measured
    from spans
    union all
    select s.point_id, g.minute, null, s.measured, s.minute
    from (select * from spans where next_minute > minute + interval '1 minute') as s
    cross join lateral generate_series(
        s.minute + interval '1 minute', s.next_minute - interval '1 minute', interval '1 minute'
    ) as g (minute)
    union all
    -- Before a point's first measured minute there is nothing to carry.
    select f.point_id, g.minute, null, null, null
    from (select point_id, min(minute) as first_minute from measured group by 1) as f
    cross join lateral generate_series(
        {{ look }}, f.first_minute - interval '1 minute', interval '1 minute'
    ) as g (minute)
),
{% endif %}

seen as (
    -- Only points that reported in the window itself (not just in the lookback).
    select distinct point_id
    from {{ ref('validated_readings') }}
    where ts >= {{ lo }} and ts < {{ hi }}
)

select
    f.point_id,
    f.minute,
    case
        when f.measured is not null then f.measured
        when f.minute - f.last_measured <= interval '{{ limit }} minutes' then f.value
    end as value,
    case
        when f.measured is not null then 'measured'
        when f.minute - f.last_measured <= interval '{{ limit }} minutes' then 'carried_forward'
        else 'gap'
    end as fill,
    case when f.measured is null then
        extract(epoch from f.minute - f.last_measured)::integer / 60
    end as minutes_since_measured
from filled as f
where f.point_id in (select point_id from seen)
  and f.minute >= {{ lo }} and f.minute < {{ hi }}
