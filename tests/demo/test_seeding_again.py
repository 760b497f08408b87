"""``seed_demo --force`` on a seeded demo gives the same demo: the same people, programs,
history, surveys and reports, nothing added twice. One module seeds the whole demo (five
weeks of reports rather than six months) and seeds it again; each area's test compares
what it owns before and after."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from directory.demographics import ANSWER_FIELDS
from directory.models import Employee, EmployeeDemographics, JobLevelChange
from matching.models import Pair
from organizations.models import Invitation, Membership, Organization
from organizations.tenancy import tenant_context
from programs.models import (
    Participant,
    ParticipantTopic,
    Program,
    Resource,
    Topic,
    TrainingCompletion,
    TrainingModule,
)
from reports.models import Snapshot
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection, SessionChange
from surveys.models import Answer, Assignment, Question, Response, Schedule, Survey

pytestmark = [pytest.mark.django_db, pytest.mark.reports_demo]

ROLES = ["admin", "manager", "mentor", "mentee", "exec"]


def _people():
    memberships = []
    for organization in Organization.objects.all():
        with tenant_context(organization=organization):
            memberships += Membership.objects.values_list(
                "user__email",
                "organization__slug",
                "is_admin",
                "is_program_manager",
                "is_executive",
                "is_participant",
                "is_active",
            )
    return {
        "organizations": sorted(Organization.objects.values_list("slug", "name", "time_zone")),
        "users": sorted(User.objects.values_list("email", "name")),
        "memberships": sorted(memberships),
    }


def _directory():
    """What the reports read: the roster, its level history and demographics."""
    return {
        "employees": sorted(
            Employee.objects.values_list(
                "employee_number",
                "name",
                "job_level",
                "hire_date",
                "termination_date",
                "department__name",
                "manager__employee_number",
            )
        ),
        "level_changes": sorted(
            JobLevelChange.objects.values_list(
                "employee__employee_number", "from_level", "to_level", "changed_on"
            )
        ),
        "demographics": sorted(
            EmployeeDemographics.objects.values_list("employee__employee_number", *ANSWER_FIELDS)
        ),
    }


def _programs():
    models = (ParticipantTopic, TrainingCompletion, TrainingModule, Resource, Invitation)
    return {
        "topics": sorted(Topic.objects.values_list("name", flat=True)),
        "programs": sorted(Program.objects.values_list("name", "status")),
        "participants": sorted(
            Participant.objects.values_list(
                "cohort__name", "employee__email", "role", "status", "source"
            )
        ),
        "counts": {model.__name__: model.objects.count() for model in models},
    }


def _history():
    """The pairs' sessions and what came of them, with the programs' dates: a second seed
    that moved the history to "now" again would change them."""
    models = (MentoringSession, SessionChange, Reflection, Goal, Commitment)
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "shared_notes": Note.objects.filter(visibility=Note.Visibility.SHARED).count(),
        "dates": sorted(Program.objects.values_list("name", "start_date", "end_date"))
        + sorted(
            Program.objects.values_list("cohorts__name", "cohorts__start_date", "cohorts__end_date")
        ),
        "published": sorted(Pair.objects.values_list("published_at", flat=True)),
    }


def _surveys():
    models = (Survey, Question, Schedule, Assignment, Response, Answer)
    return {model.__name__: model.objects.count() for model in models}


def _reports():
    """The reports' history, as published: a second run shows what the first one did."""
    return sorted(
        Snapshot.objects.values_list(
            "scope", "day", "figures", "headline", "published", "published_detail"
        )
    )


AREAS = {
    "directory": _directory,
    "programs": _programs,
    "history": _history,
    "surveys": _surveys,
    "reports": _reports,
}


def _state():
    state = {"people": _people()}
    for organization in Organization.objects.order_by("slug"):
        with tenant_context(organization=organization):
            for area, read in AREAS.items():
                state[f"{area}:{organization.slug}"] = read()
    return state


@pytest.fixture(scope="module")
def seeded_twice(django_db_setup, django_db_blocker, demo_snapshots_dir):
    """The state after the whole demo is seeded, and after ``seed_demo --force`` runs on
    it. The first seeding is shared with the rest of the run (tests/demo_snapshot.py):
    the rows are exactly those seed_demo wrote."""
    from tests import demo_snapshot

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("demo.reports.HISTORY_DAYS", 35)
        demo_snapshot.seed_demo_or_restore(
            "everything-35-days-of-reports",
            lambda: call_command("seed_demo", stdout=io.StringIO()),
            demo_snapshots_dir,
        )
        first = _state()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        second = _state()
    yield first, second
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


def test_the_people_are_the_same(seeded_twice):
    first, second = seeded_twice

    assert second["people"] == first["people"]
    emails = {email for email, _name in first["people"]["users"]}
    assert {f"{role}@{org}.example" for role in ROLES for org in ("acme", "globex")} <= emails
    # And an account for each participant who applied (they joined first).
    assert len(emails) == 10 + (40 - 2) + 7 + (12 - 2)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_each_area_is_the_same(seeded_twice, area, slug):
    first, second = seeded_twice

    assert first[f"{area}:{slug}"], f"the demo has {area} at {slug}"
    assert second[f"{area}:{slug}"] == first[f"{area}:{slug}"], f"{area} at {slug} changed"


def test_what_is_compared_is_the_demo_itself(seeded_twice):
    """The comparisons above are of a full demo, not of two empty ones."""
    first, _second = seeded_twice

    assert len(first["programs:acme"]["participants"]) == 40 + 15
    assert len(first["programs:globex"]["participants"]) == 12
    assert first["history:acme"]["counts"]["MentoringSession"] > 60
    assert first["surveys:acme"]["Response"] > 0
    for slug in ("acme", "globex"):
        assert first[f"directory:{slug}"]["level_changes"], slug
        assert first[f"directory:{slug}"]["demographics"], slug
        assert first[f"reports:{slug}"], slug
