-- Layers of the warehouse and the platform's own bookkeeping.
create schema if not exists bronze;
create schema if not exists silver;
create schema if not exists gold;
create schema if not exists ops;

-- Which lane this warehouse runs on, as detected when it was migrated.
create table if not exists ops.warehouse_lane (
    id boolean primary key default true check (id),
    lane text not null check (lane in ('postgres', 'timescaledb')),
    timescaledb_version text,
    server_version text not null,
    detected_at timestamptz not null default now()
);

-- Daily range partitions for time-partitioned tables on the plain-PostgreSQL
-- lane; a no-op for hypertables (TimescaleDB makes its own chunks).
create or replace function ops.ensure_time_partitions(
    parent regclass, from_ts timestamptz, to_ts timestamptz
) returns integer language plpgsql as $fn$
declare
    day date := (from_ts at time zone 'UTC')::date;
    last_day date := ((to_ts - interval '1 microsecond') at time zone 'UTC')::date;
    nsp text;
    rel text;
    part text;
    created integer := 0;
begin
    if not exists (select 1 from pg_partitioned_table where partrelid = parent) then
        return 0;
    end if;
    select n.nspname, c.relname into nsp, rel
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = parent;
    while day <= last_day loop
        part := format('%I.%I', nsp, rel || '_' || to_char(day, 'YYYYMMDD'));
        if to_regclass(part) is null then
            begin
                execute format(
                    'create table %s partition of %s for values from (%L) to (%L)',
                    part, parent,
                    day::timestamp at time zone 'UTC', (day + 1)::timestamp at time zone 'UTC');
                created := created + 1;
            exception when duplicate_table then
                null;  -- a concurrent run created it first
            end;
        end if;
        day := day + 1;
    end loop;
    return created;
end
$fn$;
