-- The API reads one asset's latest health and its history: by asset, newest first.
create index if not exists equipment_health_by_asset on gold.equipment_health (asset, day desc);
