"""The second mode: mentees choose from their top suggestions."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from matching.choice import mentee_choose, suggestions
from matching.models import Pair
from organizations.tenancy import tenant_context
from programs.models import Participant, Program
from tests.conftest import is_postgresql, require


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
