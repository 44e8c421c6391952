-- Compression and retention of the archive tables are TimescaleDB policies;
-- plain PostgreSQL keeps their daily partitions until they are dropped by hand.
select 1;
