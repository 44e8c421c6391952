-- The API role's access to the subscription tables (0017). Keys are minted by the
-- pipeline role (grid_intel.api.auth.create_key); the API only looks them up.
grant select on ops.api_keys to grid_intel_api;
grant select, insert, update on ops.alert_subscriptions, ops.webhook_deliveries to grid_intel_api;
