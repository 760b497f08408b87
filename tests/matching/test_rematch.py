"""Rematch on request: a person whose pairing ended, or whom a published round left
without a partner, asks to be matched again in one click (asking twice is asking once);
the program's manager sees who asked and when on the cohort's matching page; publishing
a pair for them answers the request. Publishing tells each approved person it left
unmatched, kindly and once, what happens next."""

import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from matching import services
from matching.models import MatchRun, Pair, RematchRequest, Unplaced
from matching.notices import PairNotice, not_matched, notices_send
from matching.rematch import rematch_request
from notifications.models import Notification
from organizations.tenancy import tenant_context
from programs.models import Program

pytestmark = pytest.mark.django_db

INBOX = "/o/acme/notifications/"


@pytest.fixture
def published(acme, world, members, daytime, django_capture_on_commit_callbacks):
    """The cohort matched and published: Ann with Dan, Bea with Eve; Cy, a third mentor,
    is left without a mentee."""
    with tenant_context(organization=acme):
        run = services.matching_run(cohort=world["cohort"], actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.run_publish(run=run)
        return run


def _place(world, first) -> str:
    return f"/o/acme/programs/mine/{world[first].pk}/"


def _cohort_page(world) -> str:
    return f"/o/acme/programs/{world['program'].pk}/cohorts/{world['cohort'].pk}/matching/"


def _page(client, membership, url) -> str:
    client.force_login(membership.user)
    return client.get(url).content.decode()


def _end(acme, run, mentor_first) -> Pair:
    with tenant_context(organization=acme):
        pair = Pair.objects.get(run=run, mentor__employee__name__startswith=mentor_first)
        return services.pair_end(pair=pair, reason="No time in common.", actor=None)


def _requests(acme):
    with tenant_context(organization=acme):
        return [
            (r.participant.employee.name, r.resolved_at is None)
            for r in RematchRequest.objects.select_related("participant__employee")
        ]


# --- Telling those a round left unmatched ----------------------------------------------


def test_publishing_tells_the_person_left_unmatched_kindly_what_happens_next(
    client, members, published
):
    [to_cy] = [m for m in mail.outbox if m.to == ["cy@acme.example"]]

    assert to_cy.subject == "Reverse: not matched this round"
    assert "nobody suitable for you had a free place" in to_cy.body
    assert "ask to be matched again" in to_cy.body
    assert "Reverse: not matched this round" in _page(client, members["Cy"], INBOX)
    # Nobody who was paired hears it.
    for first in ("Ann", "Bea", "Dan", "Eve"):
        assert "not matched this round" not in _page(client, members[first], INBOX)


def test_the_not_matched_notice_goes_out_once_however_often_it_is_sent(
    acme, world, members, published, django_capture_on_commit_callbacks
):
    with tenant_context(organization=acme), django_capture_on_commit_callbacks(execute=True):
        notices_send(
            organization=acme,
            candidates=not_matched(organization=acme, run=published, people=[world["Cy"]]),
        )

    assert len([m for m in mail.outbox if m.to == ["cy@acme.example"]]) == 1
    with tenant_context(organization=acme):
        assert Notification.objects.filter(kind=PairNotice.NOT_MATCHED).count() == 1


def test_a_second_round_tells_only_those_it_left_with_no_partner_at_all(
    acme, world, members, published, daytime, django_capture_on_commit_callbacks
):
    # A second round, made by hand so that its outcome is certain: Bea's pair with Eve has
    # ended and Cy takes Eve; the round leaves out Ann (who still meets Dan, and has room
    # for a second mentee) and Bea (who now has nobody).
    with tenant_context(organization=acme):
        Pair.objects.filter(run=published, mentor=world["Bea"]).update(status="ended")
        world["Ann"].capacity = 2
        world["Ann"].save(update_fields=["capacity"])
        run = MatchRun.objects.create(organization=acme, cohort=world["cohort"])
        Pair.objects.create(
            organization=acme,
            run=run,
            program=world["program"],
            cohort=world["cohort"],
            mentor=world["Cy"],
            mentee=world["Eve"],
            score=50,
            explanation="Both in Sales.",
        )
        for first in ("Ann", "Bea"):
            Unplaced.objects.create(
                organization=acme, run=run, participant=world[first], reason="No one left."
            )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.run_publish(run=run)

    told = [m.to[0] for m in mail.outbox if "not matched" in m.subject]
    assert told == ["bea@acme.example"]


# --- Asking -----------------------------------------------------------------------------


def test_a_person_whose_pairing_ended_asks_in_one_click_and_twice_is_once(
    client, acme, world, members, published
):
    _end(acme, published, "Ann")
    place = _place(world, "Dan")
    page = _page(client, members["Dan"], place)
    assert "Ask to be matched again" in page

    client.post(place + "rematch/")
    response = client.post(place + "rematch/", follow=True)

    assert _requests(acme) == [("Dan Senior", True)]
    page = html.unescape(response.content.decode())
    assert "the program manager sees that you'd like to be matched again" in page
    assert "You asked to be matched again on" in page
    assert "Ask to be matched again</button>" not in page


def test_the_person_left_out_by_a_round_can_ask_too(client, acme, world, members, published):
    place = _place(world, "Cy")
    assert "You weren't matched in the last round" in _page(client, members["Cy"], place)

    client.post(place + "rematch/")

    assert _requests(acme) == [("Cy Junior", True)]


def test_someone_paired_now_is_refused_with_a_clear_message(
    client, acme, world, members, published
):
    place = _place(world, "Dan")
    assert "Ask to be matched again" not in _page(client, members["Dan"], place)

    response = client.post(place + "rematch/", follow=True)

    assert "You're paired now: to change partner, end your pairing first." in html.unescape(
        response.content.decode()
    )
    assert _requests(acme) == []


def test_no_one_asks_once_the_program_is_closing(acme, world, published):
    _end(acme, published, "Ann")
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(status=Program.Status.CLOSING)
        with pytest.raises(ValidationError, match="closed to new matches"):
            rematch_request(participant=world["Dan"])
    assert _requests(acme) == []


def test_before_any_round_there_is_nothing_to_ask_for(acme, world):
    with tenant_context(organization=acme), pytest.raises(ValidationError, match="yet"):
        rematch_request(participant=world["Dan"])


def test_someone_elses_place_is_not_found(client, acme, world, members, published):
    _end(acme, published, "Ann")

    response = _page_post(client, members["Eve"], _place(world, "Dan") + "rematch/")

    assert response.status_code == 404
    assert _requests(acme) == []


def _page_post(client, membership, url):
    client.force_login(membership.user)
    return client.post(url)


# --- The manager's side -----------------------------------------------------------------


def test_the_program_manager_sees_who_asked_and_when(
    client, acme, world, members, program_manager, published
):
    _end(acme, published, "Ann")
    with tenant_context(organization=acme):
        asked = rematch_request(participant=world["Dan"])

    page = _page(client, program_manager, _cohort_page(world))

    section = page[page.index('id="rematch-heading"') :]
    assert "1 person asks to be matched again" in section
    assert "Dan Senior" in section
    # In the organisation's time zone, as its pages show times.
    asked_on = timezone.localtime(asked.created_at, acme.zone)
    assert asked_on.strftime("%-d %b %Y, %H:%M") in section


def test_the_next_round_flags_them_and_publishing_their_pair_answers_the_request(
    client, acme, world, members, program_manager, published, django_capture_on_commit_callbacks
):
    _end(acme, published, "Ann")
    with tenant_context(organization=acme):
        rematch_request(participant=world["Dan"])
        run = services.matching_run(cohort=world["cohort"], actor=None)
        [pair] = Pair.objects.filter(run=run, status=Pair.Status.PROPOSED)
    assert pair.mentee_id == world["Dan"].pk  # never Ann again, and not Bea (his report)
    draft = _page(client, program_manager, _cohort_page(world))
    draft = draft[draft.index('id="draft-heading"') :]
    assert "Asked to be matched again" in draft

    with tenant_context(organization=acme), django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=MatchRun.objects.get(pk=run.pk))

    assert _requests(acme) == [("Dan Senior", False)]
    assert 'id="rematch-heading"' not in _page(client, program_manager, _cohort_page(world))
