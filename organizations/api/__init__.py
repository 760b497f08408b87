"""The REST API under /api/v1/: API-key authentication, the permission table, one error shape."""
