"""Telling the partner (issue 20): what one person of a pair does in the workspace reaches
the other as a notice in the app at once, emailed under their caps, digest and quiet
hours; a booking's notice is withdrawn once the session moved; nothing private travels."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from notifications import delivery
from notifications.models import Notification
from organizations.models import Membership
from organizations.tenancy import tenant_context
from sessions import services
from sessions.partner_news import PartnerNotice
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(acme, world):
    """Ann (mentor) and Dan (mentee), published a month ago; both can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    for name in ("ann", "dan"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    return pair


def _news(acme, email):
    with tenant_context(organization=acme):
        return list(
            Notification.objects.filter(
                kind__in=PartnerNotice, recipient__user__email=email
            ).order_by("pk")
        )


def _plan(days=7, hour=10, **changes):
    starts = (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return services.Plan(starts_at=starts, duration_minutes=60, **changes)


def _dan_user():
    return User.objects.get(email="dan@acme.example")


def test_a_booking_tells_the_partner_and_not_the_one_who_booked(acme, pair):
    with tenant_context(organization=acme):
        session = services.session_schedule(
            pair=pair, actor=pair.mentor, plan=_plan(agenda="Private agenda words")
        )

    (notice,) = _news(acme, "dan@acme.example")
    assert notice.title == "Ann Junior booked a session"
    assert "booked a session with you on" in notice.body
    assert notice.url == f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/"
    assert "Private agenda words" not in notice.body
    assert _news(acme, "ann@acme.example") == []


def test_a_booking_and_its_move_are_told_in_the_app_only_as_the_invitation_is_the_email(acme, pair):
    with tenant_context(organization=acme):
        session = services.session_schedule(pair=pair, actor=pair.mentor, plan=_plan())
        services.session_reschedule(session=session, actor=pair.mentor, plan=_plan(days=9))
    booked, moved = _news(acme, "dan@acme.example")

    assert moved.title == "Ann Junior moved your session"
    assert " to " in moved.body
    assert {booked.status, moved.status} == {Notification.Status.MUTED}
    assert booked.key != moved.key  # each version of the session is told once
    assert booked.kind == moved.kind == PartnerNotice.PARTNER_BOOKING


def test_a_cancellation_a_log_a_goal_and_a_commitment_each_tell_the_other(acme, pair):
    with tenant_context(organization=acme):
        later = services.session_schedule(pair=pair, actor=pair.mentee, plan=_plan())
        services.session_cancel(session=later, actor=pair.mentee)
        held = services.session_log(
            pair=pair,
            actor=pair.mentee,
            user=_dan_user(),
            starts_at=timezone.now() - timedelta(days=2),
            log=services.Log(
                held=True,
                held_minutes=45,
                rating=5,
                shared_note="Shared words",
            ),
        )
        services.goal_add(pair=pair, actor=pair.mentee, title="Try Copilot")
        services.commitment_add(pair=pair, actor=pair.mentee, text="Use AI weekly", theme="tool")

    titles = [notice.title for notice in _news(acme, "ann@acme.example")]
    assert titles == [
        "Dan Senior booked a session",
        "Dan Senior cancelled your session",
        "Dan Senior logged a session",
        "Dan Senior added a goal",
        "Dan Senior made a commitment",
    ]
    bodies = " ".join(notice.body for notice in _news(acme, "ann@acme.example"))
    assert "Try Copilot" in bodies and "Use AI weekly" in bodies
    assert "Shared words" not in bodies  # notes stay in the workspace
    assert f"/sessions/{held.pk}/" in _news(acme, "ann@acme.example")[2].url


def test_the_second_person_to_log_tells_the_first(acme, pair):
    with tenant_context(organization=acme):
        session = services.session_log(
            pair=pair,
            actor=pair.mentee,
            user=_dan_user(),
            starts_at=timezone.now() - timedelta(days=2),
            log=services.Log(held=True, held_minutes=45, rating=4),
        )
        services.session_log(
            pair=pair,
            actor=pair.mentor,
            user=User.objects.get(email="ann@acme.example"),
            session=session,
            log=services.Log(held=True, rating=5),
        )

    assert [n.title for n in _news(acme, "dan@acme.example")] == ["Ann Junior logged a session"]
    assert [n.title for n in _news(acme, "ann@acme.example")] == ["Dan Senior logged a session"]


def test_a_partner_without_an_account_gets_nothing_and_the_action_still_succeeds(acme, pair):
    with tenant_context(organization=acme):
        Membership.objects.filter(user__email="dan@acme.example").update(is_active=False)
        session = services.session_schedule(pair=pair, actor=pair.mentor, plan=_plan())

    assert session.pk
    assert _news(acme, "dan@acme.example") == []


def test_the_notice_is_emailed_by_the_reminders_delivery(acme, pair):
    with tenant_context(organization=acme):
        services.goal_add(pair=pair, actor=pair.mentor, title="Ship the demo")
    mail.outbox.clear()
    # Delivered at a moment outside Dan's night, as the delivery would.
    noon = timezone.now().replace(hour=12, minute=0) + timedelta(days=1)
    with tenant_context(organization=acme):
        delivery.deliver(acme, noon)

    (email,) = [m for m in mail.outbox if "dan@acme.example" in m.to]
    assert "Ann Junior added a goal" in email.subject
    assert "Ship the demo" in email.body
    (notice,) = _news(acme, "dan@acme.example")
    assert notice.status == Notification.Status.SENT


def test_the_demo_keeps_only_notices_of_sessions_still_to_come(acme, pair):
    """What seed_demo's history leaves: past logs and goals forgotten, a booking kept."""
    from demo.sessions import _forget_past_partner_news

    with tenant_context(organization=acme):
        upcoming = services.session_schedule(pair=pair, actor=pair.mentor, plan=_plan())
        services.goal_add(pair=pair, actor=pair.mentor, title="Past goal")
        _forget_past_partner_news(pair.cohort)

    (kept,) = _news(acme, "dan@acme.example")
    assert kept.key.startswith(f"{PartnerNotice.PARTNER_BOOKING}:session:{upcoming.pk}:")
