"""Retention: past the organisation's months, an ended program's participation data is
anonymised by the nightly task; the people and the counts stay."""

from datetime import date

import pytest
from django.urls import reverse

from organizations.models import AuditAction, AuditEntry, Organization
from organizations.tenancy import tenant_context
from privacy.models import AnonymisedProgram
from privacy.services.retention import months_before, programs_past_retention, retention_sweep
from privacy.tasks import retention_sweep_task
from programs.models import Participant, Program
from sessions.models import Commitment, Conversation, Goal, Message, Note, Reflection
from surveys.models import Answer, Response

pytestmark = pytest.mark.django_db


def _keep(acme, months):
    Organization.objects.filter(pk=acme.pk).update(personal_data_retention_months=months)
    acme.refresh_from_db()


def test_months_before_keeps_the_day_within_the_shorter_month():
    assert months_before(date(2028, 3, 31), 1) == date(2028, 2, 29)
    assert months_before(date(2028, 1, 15), 13) == date(2026, 12, 15)


def test_blank_keeps_everything_and_a_program_ended_recently_is_kept(acme, story):
    # The world's program ends on 30 September 2027.
    with tenant_context(organization=acme):
        assert not programs_past_retention(organization=acme, today=date(2030, 1, 1)).exists()
        _keep(acme, 6)
        assert not programs_past_retention(organization=acme, today=date(2028, 3, 30)).exists()
        assert programs_past_retention(organization=acme, today=date(2028, 4, 1)).exists()


def test_the_nightly_task_anonymises_a_program_past_its_retention_once(acme, story, world):
    _keep(acme, 1)
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(end_date=date(2025, 1, 31))
        people = Participant.objects.filter(program=world["program"]).count()
        answers = Answer.objects.count()
    retention_sweep_task.delay()
    with tenant_context(organization=acme, user=story["dan"]):
        # Dan's own private note went too: the whole program's writing, everyone's.
        assert not Note.objects.exists() and not Message.objects.exists()
        assert not Conversation.objects.exists()
    with tenant_context(organization=acme):
        assert AnonymisedProgram.objects.get().participants == people
        assert Participant.objects.filter(program=world["program"]).count() == people
        assert set(Participant.objects.values_list("goals", flat=True)) == {""}
        assert set(Reflection.objects.values_list("learned", flat=True)) == {""}
        assert Reflection.objects.get().rating == 5
        assert set(Goal.objects.values_list("title", flat=True)) == {""}
        assert set(Commitment.objects.values_list("text", flat=True)) == {""}
        assert not Response.objects.filter(participant__isnull=False).exists()
        assert Answer.objects.count() == answers
        # The people are not erased: their directory entries and places stay linked.
        assert Participant.objects.get(pk=story["pair"].mentor_id).employee.name == "Ann Junior"
        entry = AuditEntry.objects.get(action=AuditAction.PARTICIPATION_ANONYMISED)
        assert entry.target_label == str(world["program"])
        assert retention_sweep(organization=acme) == 0  # done once


def test_an_admin_sets_the_retention_beside_the_messages_one(client, acme, acme_admin):
    client.force_login(acme_admin)
    url = reverse("organizations:settings", kwargs={"org_slug": acme.slug})
    page = client.get(url).content.decode()
    assert page.index("message_retention_days") < page.index("personal_data_retention_months")
    form = {
        "name": "Acme",
        "time_zone": "UTC",
        "locale": "en",
        "accent_color": "#0b6e69",
        "session_idle_minutes": 480,
        "survey_min_group": 5,
        "message_retention_days": 90,
        "personal_data_retention_months": 0,
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.content.decode()
    acme.refresh_from_db()
    assert acme.personal_data_retention_months is None
    client.post(url, form | {"personal_data_retention_months": 18})
    acme.refresh_from_db()
    assert acme.personal_data_retention_months == 18
