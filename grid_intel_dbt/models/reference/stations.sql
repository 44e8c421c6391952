-- Generating stations: fuel and installed capacity.
select
    id as station,
    attributes ->> 'name' as name,
    attributes ->> 'fuel' as fuel,
    (attributes ->> 'capacity_mw')::double precision as capacity_mw,
    attributes ->> 'region' as region,
    (attributes ->> 'grid_connected')::boolean as grid_connected
from {{ source('bronze', 'asset_registry') }}
where kind = 'stations'
