-- The PGlite TimescaleDB lane is single-user: it tests the warehouse's SQL, not the
-- serving layer, so it gets no API role.
select 1;
