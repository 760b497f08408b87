"""Layer two: PostgreSQL itself keeps organisations apart, connected as the app role.

These run on PostgreSQL only (CI); each goes around the ORM with raw SQL, as a bug, a
report or a hand-written query would.
"""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from organizations.rls import POLICY_NAME
from organizations.tenancy import tenant_context, tenant_models
from sessions.models import Conversation
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory
from tests.tenancy_app.models import Document, Folder
from tests.tenant_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_as_the_app_role():
    require(is_postgresql(), "row-level security needs PostgreSQL (DATABASE_URL)")
    require(bool(settings.DATABASE_APP_ROLE), "DATABASE_APP_ROLE is not set")


@pytest.fixture
def two_organisations(acme, globex):
    """Acme and Globex, each holding one object of every tenant-owned kind."""
    build_world(slug=acme.slug, name=acme.name)
    build_world(slug=globex.slug, name=globex.name)
    return acme, globex


def _tenant_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'organization_id'
            ORDER BY table_name
            """
        )
        return [row[0] for row in cursor.fetchall()]


def _raw(sql: str, params=None):
    """Rows for a query, the row count for a write."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_tests_run_as_the_app_role_that_owns_no_table():
    assert _raw("SELECT current_user")[0][0] == settings.DATABASE_APP_ROLE
    owned = _raw("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
    assert owned == []
    assert _raw("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user") == [
        (False, False)
    ]


def test_every_table_with_an_organisation_column_has_its_policies():
    tables = _tenant_tables()
    assert {model._meta.db_table for model in tenant_models()} <= set(tables)
    rows = _raw(
        """
        SELECT c.relname, c.relrowsecurity, p.cmd, p.qual, p.with_check
        FROM pg_class c LEFT JOIN pg_policies p
          ON p.tablename = c.relname AND p.policyname = %s
        WHERE c.relname = ANY(%s)
        """,
        [POLICY_NAME, tables],
    )
    missing = [
        name
        for name, enabled, command, read, write in rows
        if not (enabled and command == "ALL" and "organization_id" in read and write)
    ]
    assert missing == [], f"tables without row-level security policies: {missing}"
    print(f"{len(tables)} tenant-owned tables carry policies: {', '.join(tables)}")


def _message_reader(organization):
    """A person of the world's pair: its messages show only on their behalf."""
    if organization is None:
        return None
    with tenant_context(organization=organization):
        conversation = Conversation.objects.select_related(
            "pair__mentee__employee__member__user"
        ).first()
    return conversation.pair.mentee.employee.member.user if conversation else None


def _counts(organization=None, *, where: str = "TRUE", params=()) -> dict[str, int]:
    """Each tenant-owned table's visible rows (matching ``where``), as the app role sees
    them with ``organization`` set (or none), on behalf of a person of the world's pair
    (who alone may read its messages)."""
    with tenant_context(organization=organization, user=_message_reader(organization)):
        return {
            table: _raw(f'SELECT count(*) FROM "{table}" WHERE {where}', list(params))[0][0]
            for table in _tenant_tables()
        }


def test_the_world_gives_every_tenant_table_rows_in_both_organisations(two_organisations):
    """Otherwise the tests below would prove nothing for a table: a new tenant-owned model
    needs its object in tests/tenant_world.py."""
    empty = {
        organization.slug: sorted(t for t, n in _counts(organization).items() if n == 0)
        for organization in two_organisations
    }

    assert empty == {"acme": [], "globex": []}, (
        f"tests/tenant_world.py's build_world makes no rows in these tables: {empty}"
    )
    print(f"{len(_tenant_tables())} tenant-owned tables hold rows of both organisations")


def test_raw_select_with_no_organisation_set_returns_no_rows(two_organisations):
    acme, _ = two_organisations

    visible = {table: n for table, n in _counts().items() if n}

    assert visible == {}
    assert all(_counts(acme).values())  # there were rows to hide


def test_raw_select_with_an_organisation_set_returns_only_its_rows(two_organisations):
    acme, globex = two_organisations

    foreign = _counts(acme, where="organization_id <> %s", params=[acme.pk])
    own = _counts(acme, where="organization_id = %s", params=[acme.pk])

    assert {table: n for table, n in foreign.items() if n} == {}
    assert sorted(table for table, n in own.items() if n == 0) == []
    assert all(_counts(globex).values())  # Globex's rows were there to hide


def test_every_reference_between_tenant_tables_carries_the_organisation():
    """Each foreign key from one tenant-owned table to another (as the models declare it
    and as the database holds it) is doubled by a composite key (column, organization_id)
    -> (id, organization_id), so the database refuses a reference across organisations
    (organizations/rls.py makes them after every migrate)."""
    tables = set(_tenant_tables())
    tables_of = {model: model._meta.db_table for model in tenant_models()}
    declared = {
        (model._meta.db_table, field.column, field.related_model._meta.db_table)
        for model in tenant_models()
        for field in model._meta.concrete_fields
        if (field.many_to_one or field.one_to_one) and field.related_model in tables_of
    }
    keys = _raw(
        """
        SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                  ORDER BY k.i),
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                  ORDER BY k.i)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
        """
    )
    in_database = {
        (source, columns[0], target)
        for source, target, columns, _ in keys
        if source in tables and target in tables and len(columns) == 1
    }
    same_organization = {
        (source, columns[0], target)
        for source, target, columns, target_columns in keys
        if columns[1:] == ["organization_id"] and target_columns == ["id", "organization_id"]
    }
    references = declared | in_database

    assert len(references) > 60  # the models' references were found at all
    assert sorted(references - same_organization) == []
    print(f"{len(references)} references between tenant tables carry the organisation")


def test_insert_into_another_organisation_is_refused(two_organisations):
    acme, globex = two_organisations
    with (
        pytest.raises(DatabaseError, match="row-level security"),
        tenant_context(organization=acme),
        transaction.atomic(),
    ):
        _raw(
            "INSERT INTO tenancy_app_folder (organization_id, name) VALUES (%s, 'sneaky')",
            [globex.pk],
        )


def test_moving_a_row_to_another_organisation_is_refused(two_organisations):
    acme, globex = two_organisations
    with (
        pytest.raises(DatabaseError, match="row-level security"),
        tenant_context(organization=acme),
        transaction.atomic(),
    ):
        _raw("UPDATE tenancy_app_folder SET organization_id = %s", [globex.pk])


def test_update_and_delete_cannot_reach_another_organisations_rows(two_organisations):
    acme, globex = two_organisations
    with tenant_context(organization=acme):
        assert _raw("UPDATE tenancy_app_folder SET name = 'renamed'") == 1
        assert _raw("DELETE FROM tenancy_app_document") == 1
    with tenant_context(organization=globex):
        assert _raw("SELECT name FROM tenancy_app_folder") == [("globex",)]
        assert _raw("SELECT count(*) FROM tenancy_app_document")[0][0] == 1


def test_a_reference_to_another_organisations_row_is_refused(two_organisations):
    acme, globex = two_organisations
    with tenant_context(organization=globex):
        globex_folder = Folder.objects.get()
    with (
        pytest.raises(DatabaseError, match="same_org_fk"),
        tenant_context(organization=acme),
        transaction.atomic(),
    ):
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        Document.objects.create(organization=acme, folder_id=globex_folder.pk, title="x")


def test_a_person_sees_their_own_memberships_in_every_organisation(acme, globex):
    person = MembershipFactory(organization=acme).user
    MembershipFactory(organization=globex, user=person)
    MembershipFactory(organization=globex)

    with tenant_context(user=person):
        rows = _raw("SELECT organization_id FROM organizations_membership ORDER BY 1")

    assert rows == [(acme.pk,), (globex.pk,)]


def test_inside_an_organisation_a_person_sees_none_of_their_other_memberships(acme, globex):
    person = MembershipFactory(organization=acme).user
    MembershipFactory(organization=globex, user=person)

    with tenant_context(organization=acme, user=person):
        rows = _raw("SELECT organization_id FROM organizations_membership")

    assert rows == [(acme.pk,)]
