"""The second mode: mentees choose from their top suggestions."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from directory.models import Employee
from matching import services
from matching.choice import mentee_choose, suggestions
from matching.models import MatchRun, Pair
from organizations.tenancy import tenant_context
from programs.models import Participant, ParticipantTopic, Program, Topic
from tests.helpers import is_postgresql, require


@pytest.fixture
def choosing(acme, world):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(
            matching_mode=Program.MatchingMode.MENTEE_CHOICE
        )
    return world


def _fresh(acme, participant):
    with tenant_context(organization=acme):
        return Participant.objects.select_related("program", "cohort").get(pk=participant.pk)


@pytest.mark.django_db
def test_suggestions_are_the_allowed_mentors_best_first_with_the_reasons(acme, choosing):
    with tenant_context(organization=acme):
        offered = suggestions(_fresh(acme, choosing["Dan"]))

    # Bea is in Dan's reporting line: never suggested.
    assert [s.mentor.employee.name for s in offered] == ["Ann Junior", "Cy Junior"]
    assert offered[0].score > offered[1].score
    assert "which Dan most wants to learn" in offered[0].explanation


@pytest.mark.django_db
def test_the_engine_mode_offers_no_choice(acme, world):
    with tenant_context(organization=acme):
        assert suggestions(_fresh(acme, world["Dan"])) == []


@pytest.mark.django_db
def test_choosing_pairs_at_once_and_a_full_mentor_is_no_longer_offered(acme, choosing):
    with tenant_context(organization=acme):
        pair = mentee_choose(
            participant=_fresh(acme, choosing["Dan"]), mentor_id=choosing["Ann"].pk
        )
        offered_to_eve = suggestions(_fresh(acme, choosing["Eve"]))
        with pytest.raises(ValidationError, match="has just been taken"):
            mentee_choose(participant=_fresh(acme, choosing["Eve"]), mentor_id=choosing["Ann"].pk)

    assert (pair.status, pair.mentor_id) == (Pair.Status.ACTIVE, choosing["Ann"].pk)
    assert "Ann Junior" not in [s.mentor.employee.name for s in offered_to_eve]


@pytest.mark.django_db(transaction=True)
def test_two_mentees_choosing_the_same_last_place_at_once_get_one_pair(acme, choosing):
    require(is_postgresql(), "row locks need PostgreSQL")
    start = threading.Barrier(2)
    outcomes = []

    def choose(mentee):
        try:
            start.wait(timeout=5)
            with tenant_context(organization=acme):
                mentee_choose(participant=_fresh(acme, mentee), mentor_id=choosing["Ann"].pk)
            outcomes.append("paired")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=choose, args=(choosing[x],)) for x in ("Dan", "Eve")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["paired", "refused"]
    with tenant_context(organization=acme):
        assert Pair.objects.filter(mentor=choosing["Ann"], status="active").count() == 1


# --- The two modes side by side: nobody's places are taken twice -----------------------


def _engine_draft_then_choosing(acme, world):
    """An engine draft (Ann with Dan, Bea with Eve, not yet published), and then the
    program switched to mentees choosing, with a new mentee, Fay, to choose."""
    with tenant_context(organization=acme):
        run = services.matching_run(cohort=world["cohort"], actor=None)
        Program.objects.filter(pk=world["program"].pk).update(
            matching_mode=Program.MatchingMode.MENTEE_CHOICE
        )
        fay = Participant.objects.create(
            organization=acme,
            program=world["program"],
            cohort=world["cohort"],
            employee=Employee.objects.create(
                organization=acme, employee_number="F", name="Fay Senior",
                email="fay@acme.example", job_level=9,
            ),
            role="mentee",
            status=Participant.Status.APPROVED,
            availability=["tue-morning"],
            time_zone="Europe/Berlin",
            languages=["English"],
            goals="Learn",
        )  # fmt: skip
        ParticipantTopic.objects.create(
            organization=acme, participant=fay, topic=Topic.objects.get(), kind="learn", level=4
        )
    return run, fay


@pytest.mark.django_db
def test_a_drafts_proposed_pairs_hold_their_mentors_places_when_mentees_choose(acme, world):
    _run, fay = _engine_draft_then_choosing(acme, world)

    with tenant_context(organization=acme):
        offered = suggestions(_fresh(acme, fay))
        with pytest.raises(ValidationError, match="has just been taken"):
            mentee_choose(participant=_fresh(acme, fay), mentor_id=world["Ann"].pk)

    # Ann and Bea's places are their draft pairs'; Cy has one free.
    assert [s.mentor.employee.name for s in offered] == ["Cy Junior"]


@pytest.mark.django_db
def test_a_mentee_in_a_draft_who_tries_to_choose_is_told_why(client, acme, world, members):
    _engine_draft_then_choosing(acme, world)
    client.force_login(members["Dan"].user)

    response = client.post(
        f"/o/acme/programs/mine/{world['Dan'].pk}/choose/",
        {"mentor": world["Cy"].pk},
        follow=True,
    )

    assert response.status_code == 200
    assert "already reviewing a mentor for you" in response.content.decode()
    with tenant_context(organization=acme):
        assert not Pair.objects.filter(mentee=world["Dan"], status="active").exists()


@pytest.mark.django_db
def test_publishing_refuses_a_draft_that_would_overfill_a_mentor_and_names_them(acme, world):
    run, fay = _engine_draft_then_choosing(acme, world)
    with tenant_context(organization=acme):
        # Fay took Ann's one place in the meantime (as a choice could before drafts held it).
        Pair.objects.create(
            organization=acme, run=run, program=world["program"], cohort=world["cohort"],
            mentor=world["Ann"], mentee=fay, status="active", score=50, explanation="Chosen",
        )  # fmt: skip

        with pytest.raises(ValidationError) as refused:
            services.run_publish(run=run)
        run.refresh_from_db()
        proposed = Pair.objects.filter(run=run, status="proposed").count()

    assert refused.value.messages == [
        "Ann Junior has room for 1 and already has 1 active pair: publishing would overfill "
        "their places. Give one of their draft pairs another mentor first."
    ]
    assert (run.status, proposed) == ("draft", 2)


@pytest.mark.django_db
def test_the_engine_does_not_run_where_mentees_choose(client, acme, world, program_manager):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(
            matching_mode=Program.MatchingMode.MENTEE_CHOICE
        )
        world["cohort"].refresh_from_db()
        with pytest.raises(ValidationError, match="mentees choose their mentors"):
            services.matching_run(cohort=world["cohort"], actor=None)
    page = f"/o/acme/programs/{world['program'].pk}/cohorts/{world['cohort'].pk}/matching/"
    client.force_login(program_manager.user)

    shown = client.get(page).content.decode()
    refused = client.post(page + "run/", follow=True).content.decode()

    assert "Run matching" not in shown
    assert "so the engine does not run here" in shown
    assert "so the engine does not run. To match the cohort yourself" in refused
    with tenant_context(organization=acme):
        assert not MatchRun.objects.filter(cohort=world["cohort"]).exists()
