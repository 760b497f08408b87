"""The deployment check that row-level security binds the role Upturn connects as."""

import dj_database_url
import pytest
from django.conf import settings
from django.core.checks import Tags, registry
from django.db import connection, connections

from organizations.checks import (
    RoleFacts,
    check_the_database_role_is_held_by_row_level_security,
    role_errors,
    role_facts,
)
from tests.helpers import is_postgresql, require

SAFE = RoleFacts("upturn_app", is_superuser=False, bypasses_rls=False, owned_tables=())


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (RoleFacts("boss", True, False, ()), "is a superuser"),
        (RoleFacts("boss", False, True, ()), "has BYPASSRLS"),
        (
            RoleFacts("owner", False, False, ("matching_pair", "programs_program")),
            "owns 2 tenant-owned tables (e.g. matching_pair)",
        ),
    ],
)
def test_a_role_that_row_level_security_does_not_bind_is_an_error(facts, reason):
    errors = role_errors(facts)

    assert [error.id for error in errors] == ["organizations.E001"]
    assert reason in errors[0].msg
    assert "DATABASE_OWNER_URL" in errors[0].hint


def test_a_role_held_by_row_level_security_passes():
    assert role_errors(SAFE) == []
    assert role_errors(SAFE, app_role="upturn_app") == []


def test_setting_the_app_role_does_not_excuse_connecting_as_the_owner():
    """Nothing switches a running Upturn to DATABASE_APP_ROLE: it connects as it is."""
    owner = RoleFacts("owner", False, False, ("matching_pair",))

    errors = role_errors(owner, app_role="upturn_app")

    assert [error.id for error in errors] == ["organizations.E001"]
    assert "DATABASE_APP_ROLE='upturn_app' does not make the application switch" in errors[0].hint


def test_it_is_a_deployment_check_so_migrate_as_the_owner_is_not_stopped():
    check = check_the_database_role_is_held_by_row_level_security

    assert check not in registry.registry.get_checks(include_deployment_checks=False)
    assert check in registry.registry.get_checks(include_deployment_checks=True)
    assert Tags.database in check.tags  # it needs `check --deploy --database default`


def test_without_a_database_to_ask_it_reports_nothing():
    assert check_the_database_role_is_held_by_row_level_security(databases=None) == []


@pytest.mark.django_db
def test_the_app_role_passes_the_check_on_postgresql():
    require(
        is_postgresql() and bool(settings.DATABASE_APP_ROLE), "needs PostgreSQL as the app role"
    )

    errors = registry.run_checks(
        include_deployment_checks=True, databases=["default"], tags=[Tags.database]
    )

    assert [error for error in errors if error.id.startswith("organizations.")] == []


@pytest.mark.django_db
def test_the_tables_owner_fails_the_check_on_postgresql():
    """As CI's DATABASE_URL user, postgres, which made and owns the test database's tables."""
    require(
        is_postgresql() and bool(settings.DATABASE_APP_ROLE), "needs PostgreSQL as the app role"
    )
    owner_user = dj_database_url.parse(settings.DATABASE_URL)["USER"]
    app = connections["default"]
    as_owner = type(app)({**app.settings_dict, "USER": owner_user}, "owner")
    try:
        facts = role_facts(as_owner)
    finally:
        as_owner.close()

    assert facts.user == owner_user
    assert "organizations_membership" in facts.owned_tables
    assert [error.id for error in role_errors(facts)] == ["organizations.E001"]
    assert role_facts(connection) == RoleFacts(settings.DATABASE_APP_ROLE, False, False, ())
