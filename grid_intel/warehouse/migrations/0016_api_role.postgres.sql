-- The serving layer's database role: it reads gold, silver and the live tables and
-- writes only its own subscription tables in ops (0017). Locally the embedded server
-- trusts loopback; elsewhere operations set its password (never in this file).
do $$
begin
    if not exists (select from pg_roles where rolname = 'grid_intel_api') then
        create role grid_intel_api login;
    end if;
end
$$;

grant usage on schema gold, silver, ops to grid_intel_api;
grant select on all tables in schema gold, silver to grid_intel_api;
-- dbt and the assets create gold and silver tables later, as the pipeline role.
alter default privileges in schema gold grant select on tables to grid_intel_api;
alter default privileges in schema silver grant select on tables to grid_intel_api;
