"""Telling people about their pairs: both people of a published pair in the app and by
email, once however often it runs; a pair that ends tells its two people that it ended
and its program's managers why, and the reason never reaches the two people."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from matching import services
from matching.models import MatchRun, Pair
from matching.notices import PairNotice, notices_send, pair_published
from matching.tasks import deliver_pair_notices_task
from notifications.models import Notification, NotificationSettings
from organizations.tenancy import tenant_context

pytestmark = pytest.mark.django_db

REASON = "We never found a time: zebra-umbrella."
INBOX = "/o/acme/notifications/"


@pytest.fixture
def published(acme, world, members, daytime, django_capture_on_commit_callbacks):
    """The cohort matched and published: Ann with Dan, Bea with Eve."""
    with tenant_context(organization=acme):
        run = services.matching_run(cohort=world["cohort"], actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.run_publish(run=run)
        return {
            (p.mentor.employee.name.split()[0], p.mentee.employee.name.split()[0]): p
            for p in Pair.objects.filter(run=run).select_related(
                "mentor__employee", "mentee__employee"
            )
        }


def _cohort_page(world) -> str:
    return f"/o/acme/programs/{world['program'].pk}/cohorts/{world['cohort'].pk}/matching/"


def _page(client, membership, url) -> str:
    client.force_login(membership.user)
    return client.get(url).content.decode()


def _mail_to(email):
    return [m for m in mail.outbox if m.to == [email]]


def test_publishing_tells_both_people_in_the_app_and_by_email(client, members, published):
    dan_inbox = _page(client, members["Dan"], INBOX)
    ann_inbox = _page(client, members["Ann"], INBOX)
    pair = published[("Ann", "Dan")]

    assert "Reverse: meet Ann Junior" in dan_inbox
    assert "Reverse: meet Dan Senior" in ann_inbox
    assert "Why you were matched:" in dan_inbox
    [to_dan] = _mail_to("dan@acme.example")
    assert to_dan.subject == "Reverse: meet Ann Junior"
    assert pair.explanation in to_dan.body
    # And nobody else hears of a pair: Cy, whom the round left out, is told only that
    # (tests/matching/test_rematch.py).
    assert sorted(m.to[0] for m in mail.outbox) == [
        f"{x}@acme.example" for x in ("ann", "bea", "cy", "dan", "eve")
    ]
    [to_cy] = _mail_to("cy@acme.example")
    assert to_cy.subject == "Reverse: not matched this round"


def test_the_notices_go_out_once_however_often_the_task_or_the_service_runs(
    acme, members, published, django_capture_on_commit_callbacks
):
    with tenant_context(organization=acme), django_capture_on_commit_callbacks(execute=True):
        # The service's telling step again (a retried request), then the task, twice more
        # (a redelivered message).
        notices_send(
            organization=acme,
            candidates=pair_published(organization=acme, pairs=published.values()),
        )
    deliver_pair_notices_task(organization_id=acme.pk)
    deliver_pair_notices_task.delay(organization_id=acme.pk)

    assert len(mail.outbox) == 5  # the four paired people, and Cy's "not matched"
    with tenant_context(organization=acme):
        notices = Notification.objects.filter(kind=PairNotice.PAIR_PUBLISHED)
        assert notices.count() == 4
        assert set(notices.values_list("status", flat=True)) == {Notification.Status.SENT}


def test_publishing_a_second_time_is_refused_and_tells_nobody_again(acme, world, published):
    with tenant_context(organization=acme):
        run = MatchRun.objects.get(pk=published[("Ann", "Dan")].run_id)
        with pytest.raises(ValidationError, match="no longer a draft"):
            services.run_publish(run=run)

    assert len(mail.outbox) == 5  # as the first publishing sent


def test_a_person_who_chose_the_weekly_digest_still_hears_of_their_pair_at_once(
    acme, world, members, daytime, django_capture_on_commit_callbacks
):
    with tenant_context(organization=acme):
        NotificationSettings.objects.create(
            organization=acme, membership=members["Dan"], weekly_digest=True
        )
        run = services.matching_run(cohort=world["cohort"], actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.run_publish(run=run)

    assert len(_mail_to("dan@acme.example")) == 1


def test_a_pair_ended_by_a_person_tells_the_manager_why_and_the_two_only_that_it_ended(
    client, acme, world, members, program_manager, published, django_capture_on_commit_callbacks
):
    pair = published[("Ann", "Dan")]
    mail.outbox.clear()
    client.force_login(members["Ann"].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/o/acme/programs/mine/{world['Ann'].pk}/pairs/{pair.pk}/end/", {"reason": REASON}
        )

    # The program manager: told by email and in the app, and the matching page lists it.
    [to_manager] = _mail_to("pm@acme.example")
    assert to_manager.subject == "Ann Junior and Dan Senior are no longer paired"
    assert REASON in to_manager.body and "Ann Junior, the mentor" in to_manager.body
    assert REASON in _page(client, program_manager, INBOX)
    cohort_page = _page(client, program_manager, _cohort_page(world))
    assert "1 ended pair" in cohort_page
    ended = cohort_page[cohort_page.index('id="ended-heading"') :]
    assert REASON in ended and "The mentor" in ended
    # The two people: told that it ended, never why; nobody else is told anything.
    for first in ("Ann", "Dan"):
        [message] = _mail_to(f"{first.lower()}@acme.example")
        assert message.subject == "Reverse: your pairing has ended"
        assert "zebra" not in message.body
        assert "zebra" not in message.alternatives[0][0]
        assert "Reverse: your pairing has ended" in _page(client, members[first], INBOX)
        for url in (INBOX, f"/o/acme/programs/mine/{world[first].pk}/", "/o/acme/programs/mine/"):
            assert "zebra" not in _page(client, members[first], url)
    assert len(mail.outbox) == 3


def test_a_pair_ended_by_the_program_manager_shows_them_as_its_ender_and_sends_them_nothing(
    client, acme, world, program_manager, published, django_capture_on_commit_callbacks
):
    pair = published[("Bea", "Eve")]
    mail.outbox.clear()
    client.force_login(program_manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_cohort_page(world) + f"pairs/{pair.pk}/end/", {"reason": REASON})

    with tenant_context(organization=acme):
        pair.refresh_from_db()
    assert (pair.status, pair.ended_by_role) == ("ended", "manager")
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@acme.example", "eve@acme.example"]
    ended = _page(client, program_manager, _cohort_page(world))
    ended = ended[ended.index('id="ended-heading"') :]
    assert "Pat Manager" in ended and "A program manager" in ended and REASON in ended


def test_pair_notices_to_the_two_people_cannot_be_muted(client, members, world):
    page = _page(client, members["Dan"], INBOX + "settings/")

    assert "A pair has ended (program managers)" in page
    assert "You have been paired" not in page
    assert "Your pairing has ended" not in page


def test_after_a_pairing_ends_the_persons_page_says_so_and_not_that_they_are_paired(
    client, acme, world, members, published, django_capture_on_commit_callbacks
):
    pair = published[("Ann", "Dan")]
    place = f"/o/acme/programs/mine/{world['Ann'].pk}/"
    assert "paired. Agree a time" in _page(client, members["Ann"], place)
    client.force_login(members["Ann"].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{place}pairs/{pair.pk}/end/", {"reason": REASON})

    page = _page(client, members["Ann"], place)

    assert "Your pairing has ended." in page
    assert "paired. Agree a time" not in page
