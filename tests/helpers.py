"""Small helpers any test module may import (test modules and conftest modules are not
imported by others: tests/test_suite_rules.py holds that line)."""

import os

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip when local infrastructure is missing, but fail in CI, where everything must run."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


def is_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def api_key_headers(organization, *roles) -> dict:
    """Request headers carrying a new API key of ``organization`` with these roles."""
    from organizations.api_keys import api_key_create
    from organizations.tenancy import tenant_context

    with tenant_context(organization=organization):
        _, raw = api_key_create(
            organization=organization, actor=None, name="test", roles=set(roles)
        )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def openapi_json_schema(node):
    """OpenAPI 3.0's dialect as JSON Schema: ``nullable`` as a null alternative, and
    references into ``$defs``."""
    if isinstance(node, list):
        return [openapi_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: openapi_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node
