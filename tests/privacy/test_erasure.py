"""An admin erases a person: nothing of their name or email is left in any table, as an
attacker holding the database (its owner, past every row-level policy) would look."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.models import Employee
from organizations.models import AuditAction, AuditEntry, Membership
from organizations.tenancy import tenant_context
from privacy.services.erasure import ERASED_NAME, person_erase
from programs.models import Participant
from reports.kpis import figures_on
from sessions.models import Message, Note, Reflection
from surveys.models import Answer, Concern, Response
from tests import demo_snapshot
from tests.helpers import require
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.privacy.helpers import ANN_EMAIL, ANN_NAME


def _erase(acme, admin, user, confirmation=ANN_EMAIL):
    with tenant_context(organization=acme, user=admin):
        membership = Membership.objects.get(user=user)
        return person_erase(
            organization=acme, actor=admin, membership=membership, confirmation=confirmation
        )


def _traces(words: list[str]) -> list[str]:
    """Every text, varchar and json column of every table, searched as the database's
    owner (no row-level security, nothing hidden) for any of ``words``."""
    with demo_snapshot._owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')
            ORDER BY table_name, column_name
            """
        )
        columns = cursor.fetchall()
        assert len(columns) > 100  # every table's, not a handful
        found = []
        for table, column in columns:
            for word in words:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{word}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {word!r}")
        return found


@pytest.mark.django_db(transaction=True)
def test_after_erasure_no_table_holds_the_persons_name_or_email(acme, story, acme_admin):
    require(demo_snapshot.owner["user"] is not None, "needs PostgreSQL with an app role")
    words = [ANN_NAME, ANN_EMAIL]
    # The scan finds them before: it looks where they are.
    before = _traces(words)
    assert any(t.startswith("accounts_user.") for t in before)
    assert any(t.startswith("mentoring_message.") or "mentoring_notification" in t for t in before)
    _erase(acme, acme_admin, story["ann"])
    assert _traces(words) == []


@pytest.mark.django_db
def test_erasure_deletes_private_writing_and_cuts_answers_and_keeps_what_is_shared(
    acme, story, acme_admin
):
    ann, dan = story["ann"], story["dan"]
    with tenant_context(organization=acme):
        mentor_id = story["pair"].mentor_id
        counts_before = (Participant.objects.count(), Answer.objects.count())
    _erase(acme, acme_admin, ann)
    with tenant_context(organization=acme, user=dan):
        # Dan's own writing stays; Ann's messages went, Dan's stay.
        assert list(Message.objects.values_list("text", flat=True)) == ["Hello from Dan"]
        assert set(Note.objects.values_list("text", flat=True)) == {
            "Dan's private note",
            "Ann's shared note",
        }
    with tenant_context(organization=acme):
        assert (Participant.objects.count(), Answer.objects.count()) == counts_before
        assert not Response.objects.filter(participant=mentor_id).exists()
        assert Response.objects.get(pk=story["attributed"].pk).department == ""
        assert Answer.objects.filter(value="Anonymous words").exists()
        reflection = Reflection.objects.get(participant=mentor_id)
        assert (reflection.learned, reflection.rating) == ("", 5)
        assert Concern.objects.get().author is None
        employee = Employee.objects.get(pk=Participant.objects.get(pk=mentor_id).employee_id)
        assert (employee.name, employee.email, employee.member) == (ERASED_NAME, "", None)
        assert not Membership.objects.filter(user=ann).exists()
        erasure = AuditEntry.objects.get(action=AuditAction.PERSON_ERASED)
        assert erasure.actor == acme_admin and ANN_EMAIL not in str(erasure.details)
        assert not AuditEntry.objects.filter(actor=ann).exists()
    ann.refresh_from_db()
    assert not ann.is_active and not ann.has_usable_password() and ann.email != ANN_EMAIL


@pytest.mark.django_db
def test_reports_computed_after_an_erasure_count_the_same(acme, story, acme_admin):
    with tenant_context(organization=acme):
        before = figures_on(acme, timezone.localdate())
    _erase(acme, acme_admin, story["ann"])
    with tenant_context(organization=acme):
        after = figures_on(acme, timezone.localdate())
    assert after == before


@pytest.mark.django_db
def test_someone_in_another_organisation_keeps_their_account_there(acme, story, acme_admin):
    globex = OrganizationFactory(slug="globex", name="Globex")
    MembershipFactory(organization=globex, user=story["ann"])
    _erase(acme, acme_admin, story["ann"])
    ann = User.objects.get(pk=story["ann"].pk)
    assert ann.is_active and ann.email == ANN_EMAIL
    with tenant_context(organization=globex):
        assert Membership.objects.filter(user=ann).exists()
    with tenant_context(organization=acme):
        assert not Membership.objects.filter(user=ann).exists()
        assert not Employee.objects.filter(name=ANN_NAME).exists()


@pytest.mark.django_db
def test_a_wrong_confirmation_or_erasing_yourself_changes_nothing(acme, story, acme_admin):
    with pytest.raises(ValidationError):
        _erase(acme, acme_admin, story["ann"], confirmation="someone@acme.example")
    with pytest.raises(ValidationError):
        _erase(acme, acme_admin, acme_admin, confirmation=acme_admin.email)
    with tenant_context(organization=acme, user=story["ann"]):
        assert Membership.objects.filter(user=story["ann"]).exists()
        assert Note.objects.filter(text="Ann's private note").exists()


@pytest.mark.django_db
def test_the_confirmation_page_names_the_person_says_no_undo_and_wants_their_email(
    client, acme, story, acme_admin
):
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=story["ann"])
    url = reverse("privacy:erase", kwargs={"org_slug": acme.slug, "membership_id": membership.pk})
    client.force_login(acme_admin)
    page = client.get(url).content.decode()
    assert ANN_NAME in page and ANN_EMAIL in page and "cannot be undone" in page
    wrong = client.post(url, {"confirmation": "ann@acme.exampl"})
    assert wrong.status_code == 200 and "Type the person" in wrong.content.decode()
    done = client.post(url, {"confirmation": ANN_EMAIL.upper()})
    assert done.status_code == 302
    with tenant_context(organization=acme):
        assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_only_an_admin_may_erase(client, acme, story):
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=story["dan"])
    client.force_login(story["ann"])
    url = reverse("privacy:erase", kwargs={"org_slug": acme.slug, "membership_id": membership.pk})
    assert client.post(url, {"confirmation": "dan@acme.example"}).status_code == 403
    with tenant_context(organization=acme):
        assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_a_person_deactivated_before_is_erased_all_the_same(acme, story, acme_admin):
    """Deactivated, Ann can no longer read her pair's thread in the database; erasure
    still deletes what she sent (through the database's own function, not on her behalf)."""
    with tenant_context(organization=acme):
        Membership.objects.filter(user=story["ann"]).update(is_active=False)
    _erase(acme, acme_admin, story["ann"])
    with tenant_context(organization=acme, user=story["dan"]):
        assert list(Message.objects.values_list("text", flat=True)) == ["Hello from Dan"]
    with tenant_context(organization=acme, user=story["ann"]):
        assert not Note.objects.filter(visibility="private", author_user=story["ann"]).exists()
