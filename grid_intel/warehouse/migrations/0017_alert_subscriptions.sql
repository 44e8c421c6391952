-- Alert subscriptions by webhook: API keys, subscriptions and the delivery ledger.
-- The API process reads and writes them as grid_intel_api; its grants are 0018.
create table if not exists ops.api_keys (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(name) between 1 and 200),
    prefix text not null unique,
    key_hash text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);

create table if not exists ops.alert_subscriptions (
    id uuid primary key default gen_random_uuid(),
    api_key_id uuid not null references ops.api_keys (id),
    url text not null check (length(url) <= 2048),
    secret text not null,
    asset text,
    kind text,
    min_severity text check (min_severity in ('info', 'warning', 'critical')),
    created_at timestamptz not null default now(),
    deleted_at timestamptz
);

create index if not exists alert_subscriptions_by_key
    on ops.alert_subscriptions (api_key_id) where deleted_at is null;

create table if not exists ops.webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    subscription_id uuid not null references ops.alert_subscriptions (id),
    alert_id text not null,
    attempt integer not null check (attempt >= 1),
    state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
    status_code integer,
    error text,
    attempted_at timestamptz not null default now(),
    delivered_at timestamptz,
    next_attempt_at timestamptz,
    unique (subscription_id, alert_id, attempt)
);

create index if not exists webhook_deliveries_by_alert on ops.webhook_deliveries (alert_id);
create index if not exists webhook_deliveries_retrying
    on ops.webhook_deliveries (next_attempt_at) where state = 'failed' and next_attempt_at is not null;

comment on table ops.api_keys is
    'Keys for the API''s write endpoints. A key is gi_<prefix>_<secret>: the prefix finds the row, key_hash is the SHA-256 hex of the secret. The secret is 256 random bits, so a fast hash is safe (no dictionary to attack) and keeps each request cheap; a slow KDF is for low-entropy passwords.';
comment on table ops.alert_subscriptions is
    'Webhook subscriptions to grid.alerts, filtered by asset, kind and minimum severity (null: any). The secret is stored as is, not hashed: the delivery worker signs every request with it (HMAC-SHA256), so it must be readable; it is returned to the subscriber once, at creation. Deleting sets deleted_at.';
comment on table ops.webhook_deliveries is
    'One row per delivery attempt of an alert to a subscription: pending while in flight (or if the worker died mid-request), delivered on a 2xx, failed otherwise; a failed attempt with next_attempt_at will be retried then, one without it was the last. The unique attempt number is the claim that keeps an alert from being sent twice to a subscription.';
