-- Manitoba's load regions from the asset registry.
select
    id as region,
    attributes ->> 'name' as name,
    (attributes ->> 'load_share')::double precision as load_share
from {{ source('bronze', 'asset_registry') }}
where kind = 'regions'
