-- Privileges of the API's database role: data only, and the ledgers append-only.
--
--   psql "$MIGRATION_DATABASE_URL" -v app_role=pos_app -f scripts/db-grants.sql
--
-- Run it as the role that owns the schema (the one migrations run as), after the migrations of
-- every deploy; it is idempotent. The API role then can read and write rows but cannot change
-- the schema, drop or disable the append-only triggers (only a table's owner can), or UPDATE,
-- DELETE or TRUNCATE audit_logs and stock_movements. DEPLOYMENT.md creates the two roles.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Nobody else on the server sees the schema; the API role may use it but not create in it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";

-- Every table and sequence there is now, and those that later migrations create.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";

-- Append-only: read and add, never change or remove (the triggers refuse it too).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs, stock_movements FROM :"app_role";
-- The migration history is the migration role's: the API only reads it (/ready).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migrations FROM :"app_role";
