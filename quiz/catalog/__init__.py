"""The synced content in the database: sync from files, queries and read-only pages."""
