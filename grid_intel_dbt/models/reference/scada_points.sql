-- The SCADA point list with where each point sits (RTU, substation, region) and
-- its physical range converted to the canonical unit of its measurement.
with registry as (
    select kind, id, attributes from {{ source('bronze', 'asset_registry') }}
),

points as (
    select
        id as point_id,
        attributes ->> 'rtu' as rtu,
        attributes ->> 'asset' as asset,
        attributes ->> 'asset_kind' as asset_kind,
        attributes ->> 'measurement' as measurement,
        attributes ->> 'unit' as raw_unit,
        (attributes ->> 'low')::double precision as raw_low,
        (attributes ->> 'high')::double precision as raw_high
    from registry
    where kind = 'points'
),

rtus as (
    select
        id as rtu,
        attributes ->> 'substation' as substation,
        (attributes ->> 'scan_interval_s')::double precision as scan_interval_s
    from registry
    where kind = 'rtus'
),

substations as (
    select id as substation, attributes ->> 'region' as region
    from registry
    where kind = 'substations'
)

select
    p.point_id,
    p.rtu,
    r.substation,
    s.region,
    p.asset,
    p.asset_kind,
    p.measurement,
    p.raw_unit,
    u.canonical_unit as unit,
    u.factor,
    u.add_offset,
    p.raw_low * u.factor + u.add_offset as low,
    p.raw_high * u.factor + u.add_offset as high,
    r.scan_interval_s,
    m.max_step_abs,
    m.max_step_rel
from points as p
left join rtus as r on r.rtu = p.rtu
left join substations as s on s.substation = r.substation
left join {{ ref('unit_conversions') }} as u on u.unit = p.raw_unit
left join {{ ref('measurement_rules') }} as m on m.measurement = p.measurement
