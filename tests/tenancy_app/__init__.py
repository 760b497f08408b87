"""Tenant-owned models that exist only in the test database, to prove what every future
tenant-owned model gets: scoping, row-level security and same-organisation references."""
