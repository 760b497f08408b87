"""Held anonymous answers: sealed by the web process, released by the worker in batches
nobody can be picked out of (surveys/sealing.py, surveys.services.responses_release).

A cohort of six mentors and three mentees answers a survey with one agreement question
and one free-text question; the smallest group results may show is five.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.tenancy import tenant_context
from surveys import sealing
from surveys.models import Answer, Assignment, HeldResponse, Response
from surveys.services import response_submit, responses_release
from tests.surveys.helpers import MENTEES, MENTORS, anonymous_schedule

pytestmark = pytest.mark.django_db


def _answer(acme, schedule, roles=("mentor", "mentee"), *, text=lambda n: f"Text {n}"):
    """Everyone of these roles answers: agreement 1 + n % 5 and a free text."""
    with tenant_context(organization=acme):
        questions = {q.type: q.pk for q in schedule.survey.questions.all()}
        assignments = Assignment.objects.filter(
            schedule=schedule, participant__role__in=roles, answered=False
        ).order_by("pk")
        for n, assignment in enumerate(assignments):
            response_submit(
                assignment=assignment,
                answers={questions["agreement"]: 1 + n % 5, questions["text"]: text(n)},
            )


def _release(acme, *, days_on=0):
    with tenant_context(organization=acme):
        return responses_release(organization=acme, now=timezone.now() + timedelta(days=days_on))


def _released(acme, schedule) -> list[tuple[str, str]]:
    with tenant_context(organization=acme):
        return sorted(Response.objects.filter(schedule=schedule).values_list("role", "week"))


def test_a_held_answer_keeps_nothing_readable_and_every_one_is_the_same_size(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    long_text = "x" * sealing.TEXT_CHARACTERS

    _answer(acme, schedule, text=lambda n: long_text if n == 0 else "")

    with tenant_context(organization=acme):
        held = list(HeldResponse.objects.all())
    assert len(held) == MENTORS + MENTEES
    assert {len(bytes(h.sealed)) for h in held} == {len(bytes(held[0].sealed))}
    assert all(b"xxxx" not in bytes(h.sealed) and b"Text" not in bytes(h.sealed) for h in held)
    assert {h.role for h in held} == {"mentor", "mentee"}


def test_the_web_process_without_the_private_key_seals_but_cannot_open(acme, cohort, settings):
    schedule = anonymous_schedule(acme, cohort)
    settings.SURVEY_SEAL_PRIVATE_KEYS = []
    sealing.private_keys.cache_clear()
    try:
        _answer(acme, schedule, roles=("mentee",))
        with tenant_context(organization=acme):
            held = HeldResponse.objects.first()
        with pytest.raises(sealing.SealingError, match="No SURVEY_SEAL_PRIVATE_KEY"):
            sealing.unseal(held.sealed, held.sealed_with)
    finally:
        sealing.private_keys.cache_clear()


def test_an_altered_held_answer_does_not_open(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule, roles=("mentee",))
    with tenant_context(organization=acme):
        held = HeldResponse.objects.first()
    tampered = bytearray(held.sealed)
    tampered[-1] ^= 1

    with pytest.raises(sealing.SealingError, match="altered"):
        sealing.unseal(bytes(tampered), held.sealed_with)


def test_a_one_window_survey_releases_nothing_until_it_closes(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule)

    assert _release(acme) == 0
    assert _released(acme, schedule) == []


def test_at_close_a_role_too_small_to_show_takes_every_role_away_from_the_batch(acme, cohort):
    """Six mentors and three mentees: the mentees' answers under their role would be a
    group of three, so the nine go out together without a role."""
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule)

    assert _release(acme, days_on=15) == MENTORS + MENTEES

    released = _released(acme, schedule)
    assert {role for role, _week in released} == {""}
    assert len({week for _role, week in released}) == 1
    with tenant_context(organization=acme):
        assert not HeldResponse.objects.exists()
        assert Response.objects.filter(participant__isnull=False).count() == 0
        texts = set(Answer.objects.filter(question__type="text").values_list("value", flat=True))
    assert texts == {f"Text {n}" for n in range(MENTORS + MENTEES)}


def test_at_close_every_role_large_enough_keeps_its_role(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule, roles=("mentor",))

    assert _release(acme, days_on=15) == MENTORS
    assert {role for role, _week in _released(acme, schedule)} == {"mentor"}


def test_fewer_answers_than_the_smallest_group_stay_sealed_after_close(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule, roles=("mentee",))

    assert _release(acme, days_on=15) == 0
    assert _release(acme, days_on=60) == 0
    with tenant_context(organization=acme):
        assert HeldResponse.objects.count() == MENTEES
    assert _released(acme, schedule) == []


def test_a_survey_after_each_session_releases_a_role_once_it_is_large_enough(acme, cohort):
    schedule = anonymous_schedule(acme, cohort, anchor="each_session")
    _answer(acme, schedule)

    assert _release(acme) == MENTORS  # the mentees wait for two more
    assert {role for role, _week in _released(acme, schedule)} == {"mentor"}
    with tenant_context(organization=acme):
        assert set(HeldResponse.objects.values_list("role", flat=True)) == {"mentee"}


def test_a_release_twice_releases_once(acme, cohort):
    schedule = anonymous_schedule(acme, cohort, anchor="each_session")
    _answer(acme, schedule, roles=("mentor",))

    assert (_release(acme), _release(acme)) == (MENTORS, 0)
    assert len(_released(acme, schedule)) == MENTORS


def test_a_person_still_cannot_answer_twice(acme, cohort):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule, roles=("mentee",))
    with tenant_context(organization=acme):
        assignment = Assignment.objects.filter(schedule=schedule, answered=True).first()
        question = schedule.survey.questions.get(type="agreement")

        with pytest.raises(ValidationError, match="already answered"):
            response_submit(assignment=assignment, answers={question.pk: 3})

        assert HeldResponse.objects.count() == MENTEES


def test_the_hourly_task_releases_with_the_worker_key(acme, cohort):
    from surveys.tasks import surveys_tick

    schedule = anonymous_schedule(acme, cohort, anchor="each_session")
    _answer(acme, schedule, roles=("mentor",))

    surveys_tick()

    assert len(_released(acme, schedule)) == MENTORS


def _close(acme, schedule):
    """The survey's window ends now (the page reads the clock)."""
    with tenant_context(organization=acme):
        Assignment.objects.filter(schedule=schedule).update(
            closes_at=timezone.now() - timedelta(seconds=1)
        )


def _notes(client, acme, schedule, manager):
    from django.urls import reverse

    client.force_login(manager.user)
    page = client.get(
        reverse(
            "surveys_results:survey",
            kwargs={"org_slug": "acme", "survey_id": schedule.survey_id},
        )
    ).content.decode()
    return (
        page.split("data-sealed-notes", 1)[1].split("</div>", 1)[0]
        if "data-sealed-notes" in page
        else ""
    )


@pytest.fixture
def manager(acme, cohort):
    from programs.models import ProgramManager
    from tests.organizations.factories import MembershipFactory

    membership = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=cohort.program, membership=membership
        )
    return membership


def test_the_results_page_says_when_sealed_answers_will_be_read(client, acme, cohort, manager):
    open_window = anonymous_schedule(acme, cohort)
    _answer(acme, open_window)

    before_close = _notes(client, acme, open_window, manager)
    _close(acme, open_window)
    _release(acme)
    after_close = _notes(client, acme, open_window, manager)

    assert "Pilot: answers are read all together once the survey closes, on" in before_close
    assert after_close == ""  # all nine released: nothing sealed any more


def test_the_results_page_says_a_remainder_too_small_stays_sealed(client, acme, cohort, manager):
    schedule = anonymous_schedule(acme, cohort)
    _answer(acme, schedule, roles=("mentee",))
    _close(acme, schedule)
    _release(acme)

    assert "too few answers came in to read them" in _notes(client, acme, schedule, manager)
    assert str(MENTEES) not in _notes(client, acme, schedule, manager)  # never how many


def test_the_results_page_says_after_session_answers_wait_for_their_role(
    client, acme, cohort, manager
):
    schedule = anonymous_schedule(acme, cohort, anchor="each_session")
    _answer(acme, schedule, roles=("mentee",))

    assert "read once there are at least 5 from mentors, or from mentees" in _notes(
        client, acme, schedule, manager
    )
