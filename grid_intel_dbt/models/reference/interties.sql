-- Ties to neighbouring systems and their transfer capabilities.
select
    id as intertie,
    attributes ->> 'counterparty' as counterparty,
    attributes ->> 'substation' as substation,
    (attributes ->> 'export_mw')::double precision as export_capability_mw,
    (attributes ->> 'import_mw')::double precision as import_capability_mw
from {{ source('bronze', 'asset_registry') }}
where kind = 'interties'
