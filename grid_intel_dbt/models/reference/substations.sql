-- Substations with the customers the utility's customer system counts behind each.
select
    id as substation,
    attributes ->> 'name' as name,
    attributes ->> 'region' as region,
    attributes ->> 'kind' as kind,
    (attributes ->> 'voltage_kv')::double precision as voltage_kv,
    attributes ->> 'station' as station,
    coalesce((attributes ->> 'customers')::integer, 0) as customers
from {{ source('bronze', 'asset_registry') }}
where kind = 'substations'
