-- Transformers, breakers and lines with the nameplate data their health scores
-- need: ratings, cooling class and thermal constants, install year, paper type,
-- and what each breaker protects.
with registry as (
    select kind, id, attributes from {{ source('bronze', 'asset_registry') }}
    where kind in ('transformers', 'breakers', 'lines')
),

substations as (
    select id as substation, attributes ->> 'region' as region
    from {{ source('bronze', 'asset_registry') }}
    where kind = 'substations'
)

select
    r.id as asset,
    rtrim(r.kind, 's') as asset_kind,
    coalesce(r.attributes ->> 'substation', r.attributes ->> 'from_substation') as substation,
    s.region,
    (r.attributes ->> 'rating_mva')::double precision as rating_mva,
    (r.attributes ->> 'rating_a')::double precision as rating_a,
    (r.attributes ->> 'voltage_kv')::double precision as voltage_kv,
    r.attributes ->> 'cooling' as cooling,
    (r.attributes ->> 'top_oil_rise_c')::double precision as top_oil_rise_c,
    (r.attributes ->> 'hot_spot_rise_c')::double precision as hot_spot_rise_c,
    (r.attributes ->> 'loss_ratio')::double precision as loss_ratio,
    (r.attributes ->> 'install_year')::integer as install_year,
    (r.attributes ->> 'thermally_upgraded_paper')::boolean as thermally_upgraded_paper,
    r.attributes ->> 'protects' as protects
from registry as r
left join substations as s
    on s.substation = coalesce(r.attributes ->> 'substation', r.attributes ->> 'from_substation')
