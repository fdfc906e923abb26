-- PostgreSQL for settlecal: a database, the role that owns and migrates it, and a read-only role.
--
--     sudo -u postgres psql -v password="'…'" -v reader_password="'…'" -f config/postgresql.sql
--
-- settlecal (owner): `settlecal import`, `migrate`, `rollback`, `notify`, and the servers' sign-ups
--   ([database] write_url, the primary).
-- settlecal_reader: what a server needs to serve calendars ([database] url), on the primary or on a
--   streaming replica (roles and grants replicate with the data). It can also be used by replica
--   hosts' servers, whose writes go to the primary through write_url.

CREATE ROLE settlecal LOGIN PASSWORD :password;
CREATE ROLE settlecal_reader LOGIN PASSWORD :reader_password;
CREATE DATABASE settlecal OWNER settlecal ENCODING 'UTF8' TEMPLATE template0;

\connect settlecal
-- Nobody but the owner creates objects in the database's schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO settlecal_reader;
-- Tables the migrations create later are readable too.
ALTER DEFAULT PRIVILEGES FOR ROLE settlecal IN SCHEMA public GRANT SELECT ON TABLES TO settlecal_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO settlecal_reader;
-- A reader never writes, even by mistake.
ALTER ROLE settlecal_reader SET default_transaction_read_only = on;
