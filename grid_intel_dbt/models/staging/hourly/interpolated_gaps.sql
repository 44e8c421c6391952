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

grid as (
    select point_id, minute
    from (select distinct point_id from measured) as points
    cross join generate_series({{ look }}, {{ hi }} - interval '1 minute', interval '1 minute') as minute
),

runs as (
    select
        g.point_id,
        g.minute,
        m.measured,
        count(m.measured) over (partition by g.point_id order by g.minute) as run
    from grid as g
    left join measured as m on m.point_id = g.point_id and m.minute = g.minute
),

filled as (
    select
        point_id,
        minute,
        measured,
        max(measured) over (partition by point_id, run) as value,
        case when run > 0 then min(minute) over (partition by point_id, run) end as last_measured
    from runs
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
join seen as s on s.point_id = f.point_id
where f.minute >= {{ lo }} and f.minute < {{ hi }}
