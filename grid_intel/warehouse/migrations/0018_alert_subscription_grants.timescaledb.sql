-- The PGlite TimescaleDB lane is single-user: no API role (0016), so no grants.
select 1;
