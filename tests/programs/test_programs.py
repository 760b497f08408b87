from datetime import date

import pytest

from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs.models import Cohort, Program, ProgramManager, ProgramTopic, Topic
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(acme):
    return MembershipFactory(organization=acme, is_program_manager=True, is_participant=False).user


@pytest.fixture
def catalogue(client, manager):
    client.force_login(manager)
    client.post("/o/acme/programs/topics/", {"action": "suggestions"})


def _topics(acme):
    with tenant_context(organization=acme):
        return {t.name: t.pk for t in Topic.objects.all()}


def _form(acme, manager, **changes):
    topics = _topics(acme)
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=manager)
    data = {
        "name": "Reverse mentoring pilot",
        "description": "Senior leaders learn from early-career colleagues.",
        "objectives": ["digital_fluency", "retention"],
        "direction": "reverse",
        "start_date": "2027-01-15",
        "end_date": "2027-07-15",
        "sessions_per_month": "1",
        "session_minutes": "60",
        "planned_sessions": "6",
        "ground_rules": "What is said in a session stays there.",
        "satisfaction_target": "90",
        "cadence_target": "80",
        "matching_mode": "engine",
        "topics": [topics["Generative AI tools"], topics["Social media"]],
        "managers": [membership.pk],
    }
    data.update(changes)
    return data


def _program(acme) -> Program:
    with tenant_context(organization=acme):
        return Program.objects.get()


def test_suggested_topics_are_added_once_and_are_editable(client, acme, catalogue):
    client.post("/o/acme/programs/topics/", {"action": "suggestions"})
    topics = _topics(acme)

    client.post(
        f"/o/acme/programs/topics/{topics['Strategy']}/",
        {"name": "Strategy and priorities", "description": "", "is_active": ""},
    )

    assert len(topics) == 8
    with tenant_context(organization=acme):
        renamed = Topic.objects.get(pk=topics["Strategy"])
    assert (renamed.name, renamed.is_active) == ("Strategy and priorities", False)


def test_a_topic_name_is_taken_once_per_organisation(client, acme, catalogue):
    response = client.post(
        "/o/acme/programs/topics/", {"action": "add", "name": "social media", "is_active": "on"}
    )

    assert "already has “social media”" in response.content.decode()


def test_a_manager_designs_a_program_with_topics_and_managers(client, acme, manager, catalogue):
    response = client.post("/o/acme/programs/new/", _form(acme, manager))

    program = _program(acme)
    assert response.url == f"/o/acme/programs/{program.pk}/"
    assert (program.status, program.direction, program.objectives) == (
        "draft",
        "reverse",
        ["digital_fluency", "retention"],
    )
    with tenant_context(organization=acme):
        assert ProgramTopic.objects.filter(program=program).count() == 2
        assert ProgramManager.objects.get(program=program).membership.user == manager
    page = client.get(response.url).content.decode()
    assert "Generative AI tools" in page and "Move to Recruiting" in page


WEIGHTS = {
    "weight_topic_fit": "8",
    "weight_cross_department": "0",
    "weight_seniority_gap": "1",
    "weight_availability": "2",
    "weight_preferences": "1.5",
    "weight_inclusion": "0",
}


def test_a_program_sets_matchings_weights_but_not_all_to_zero(client, acme, manager, catalogue):
    zeros = dict.fromkeys(WEIGHTS, "0")
    refused = client.post("/o/acme/programs/new/", {**_form(acme, manager), **zeros})
    client.post("/o/acme/programs/new/", {**_form(acme, manager), **WEIGHTS})

    assert "At least one of matching&#x27;s weights must count." in refused.content.decode()
    assert _program(acme).match_weights == {
        key.removeprefix("weight_"): float(value) for key, value in WEIGHTS.items()
    }


def test_an_end_before_the_start_is_refused_and_nothing_saved(client, acme, manager, catalogue):
    response = client.post("/o/acme/programs/new/", _form(acme, manager, end_date="2026-12-01"))

    assert "The program must end after it starts." in response.content.decode()
    with tenant_context(organization=acme):
        assert not Program.objects.exists()


def test_an_unusual_length_is_warned_about_not_refused(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager, end_date="2027-02-15"))

    page = client.get(f"/o/acme/programs/{_program(acme).pk}/").content.decode()

    assert "Most run 3 to 12" in page


def test_recruiting_needs_topics_and_a_manager(client, acme, manager, catalogue, acme_admin):
    # An admin: a program manager who leaves themselves out no longer reaches the program.
    client.force_login(acme_admin)
    client.post("/o/acme/programs/new/", _form(acme, manager, topics=[], managers=[]))
    program = _program(acme)

    refused = client.post(
        f"/o/acme/programs/{program.pk}/status/", {"to": "recruiting"}, follow=True
    )
    assert "needs at least one topic and a program manager" in refused.content.decode()
    assert _program(acme).status == "draft"

    client.post(f"/o/acme/programs/{program.pk}/edit/", _form(acme, manager))
    client.post(f"/o/acme/programs/{program.pk}/status/", {"to": "recruiting"})
    assert _program(acme).status == "recruiting"


def test_a_move_the_table_does_not_allow_is_refused(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    program = _program(acme)

    response = client.post(f"/o/acme/programs/{program.pk}/status/", {"to": "active"}, follow=True)

    assert "cannot go from Draft to Active" in response.content.decode()
    assert _program(acme).status == "draft"


def test_a_program_is_copied_as_the_next_draft(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    original = _program(acme)

    client.post(f"/o/acme/programs/{original.pk}/copy/")

    with tenant_context(organization=acme):
        copy = Program.objects.exclude(pk=original.pk).get()
        topics = set(
            ProgramTopic.objects.filter(program=copy).values_list("topic__name", flat=True)
        )
    assert copy.name == "Reverse mentoring pilot (copy)" and copy.status == "draft"
    assert copy.start_date == date(2027, 7, 16)
    assert (copy.end_date - copy.start_date) == (original.end_date - original.start_date)
    assert topics == {"Generative AI tools", "Social media"}


def test_participants_and_executives_cannot_open_programs(client, acme, acme_mentor):
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False).user
    for person in (acme_mentor, executive):
        client.force_login(person)
        assert client.get("/o/acme/programs/").status_code == 403


def test_a_program_manager_starting_a_program_is_its_manager_by_default(
    client, acme, manager, catalogue
):
    html = client.get("/o/acme/programs/new/").content.decode()

    assert "checked" in html.split("Program managers")[1].split("</fieldset>")[0]


def _cohorts(acme):
    with tenant_context(organization=acme):
        return list(Cohort.objects.values_list("name", "start_date", "end_date", "size_limit"))


def test_a_program_gets_a_pilot_cohort_and_a_wave(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    program = _program(acme)

    for name, start, end, limit in (
        ("Pilot", "2027-01-15", "2027-04-15", "12"),
        ("Wave 1", "2027-04-16", "2027-07-15", ""),
    ):
        response = client.post(
            f"/o/acme/programs/{program.pk}/cohorts/new/",
            {"name": name, "start_date": start, "end_date": end, "size_limit": limit},
        )
        assert response.status_code == 302

    assert _cohorts(acme) == [
        ("Pilot", date(2027, 1, 15), date(2027, 4, 15), 12),
        ("Wave 1", date(2027, 4, 16), date(2027, 7, 15), None),
    ]
    page = client.get(f"/o/acme/programs/{program.pk}/").content.decode()
    assert "Pilot" in page and "No limit" in page


def test_a_cohort_outside_its_program_or_named_twice_is_refused(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    program = _program(acme)
    url = f"/o/acme/programs/{program.pk}/cohorts/new/"
    client.post(url, {"name": "Pilot", "start_date": "2027-01-15", "end_date": "2027-03-15"})

    outside = client.post(
        url, {"name": "Late", "start_date": "2027-06-01", "end_date": "2027-09-01"}
    )
    twice = client.post(
        url, {"name": "pilot", "start_date": "2027-02-01", "end_date": "2027-03-01"}
    )
    tiny = client.post(
        url,
        {"name": "Tiny", "start_date": "2027-02-01", "end_date": "2027-03-01", "size_limit": "1"},
    )

    assert "A cohort runs within its program" in outside.content.decode()
    assert "already has a cohort “pilot”" in twice.content.decode()
    assert "greater than or equal to 2" in tiny.content.decode()
    assert [c[0] for c in _cohorts(acme)] == ["Pilot"]


def test_editing_a_program_keeps_its_retired_topics(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    program = _program(acme)
    topics = _topics(acme)
    with tenant_context(organization=acme):
        Topic.objects.filter(name="Social media").update(is_active=False)

    edit = client.get(f"/o/acme/programs/{program.pk}/edit/").content.decode()
    new = client.get("/o/acme/programs/new/").content.decode()
    client.post(f"/o/acme/programs/{program.pk}/edit/", _form(acme, manager, name="Renamed"))

    assert "Social media" in edit and "Social media" not in new
    with tenant_context(organization=acme):
        kept = set(ProgramTopic.objects.filter(program=program).values_list("topic", flat=True))
    assert _program(acme).name == "Renamed"
    assert kept == {topics["Generative AI tools"], topics["Social media"]}


def test_new_dates_must_keep_every_cohort_inside_the_program(client, acme, manager, catalogue):
    client.post("/o/acme/programs/new/", _form(acme, manager))
    program = _program(acme)
    client.post(
        f"/o/acme/programs/{program.pk}/cohorts/new/",
        {"name": "Pilot", "start_date": "2027-01-15", "end_date": "2027-04-15"},
    )

    later_start = client.post(
        f"/o/acme/programs/{program.pk}/edit/", _form(acme, manager, start_date="2027-02-01")
    )
    earlier_end = client.post(
        f"/o/acme/programs/{program.pk}/edit/", _form(acme, manager, end_date="2027-04-01")
    )

    for response in (later_start, earlier_end):
        assert "The dates must include every cohort of the program: Pilot" in (
            response.content.decode()
        )
    program = _program(acme)
    assert (program.start_date, program.end_date) == (date(2027, 1, 15), date(2027, 7, 15))


def test_a_program_with_a_long_name_is_copied_under_a_shortened_name(
    client, acme, manager, catalogue
):
    long_name = "Reverse mentoring for the leadership team " + "x" * 150 + " end"
    assert len(long_name) == 196
    client.post("/o/acme/programs/new/", _form(acme, manager, name=long_name))
    original = _program(acme)

    response = client.post(f"/o/acme/programs/{original.pk}/copy/")

    with tenant_context(organization=acme):
        copy = Program.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert len(copy.name) <= 200
    assert copy.name.startswith("Reverse mentoring for the leadership team xxx")
    assert copy.name.endswith("… (copy)")
