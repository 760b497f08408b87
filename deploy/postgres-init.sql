-- Run once when the compose PostgreSQL starts with an empty volume: the role the app
-- connects as. It owns no table and cannot bypass row-level security; bin/migrate (as
-- the owner, POSTGRES_USER) grants it what it needs on every migrate.
CREATE ROLE upturn_app LOGIN PASSWORD 'upturn_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
