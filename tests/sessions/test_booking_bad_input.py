"""Booking a session with generated bad input (hypothesis): every answer is either a
clean booking or the form again with a named error, never a server error, and a refused
booking changes nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from sessions.models import MentoringSession
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SANE_DAY = date(2027, 3, 10)  # inside the world's program (January to September 2027)

days = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.just(SANE_DAY.isoformat()),
    st.sampled_from(["", "2027-02-30", "27-03-10", "10/03/2027", "2027-03-10T10:00", "9999-12-31"]),
    st.text(max_size=20),
)
times = st.one_of(
    st.sampled_from(["10:00", "02:30", "23:59", "24:00", "25:61", "", "10", "10:00:00.5"]),
    st.text(max_size=10),
)
minutes = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["60", "15", "240", "14", "241", "", "1e3", "٣٠", "6_0"]),
    st.text(max_size=8),
)
free_text = st.one_of(st.text(max_size=300), st.just("\x00"), st.just("x" * 5000))
links = st.one_of(
    st.sampled_from(["", "https://meet.example/abc", "javascript:alert(1)", "ftp://x", "http://"]),
    st.text(max_size=50),
)


@pytest.fixture
def pair(acme, world, world_manager):
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    MembershipFactory(organization=acme, user=UserFactory(email="ann@acme.example"))
    return pair


def _sessions(acme) -> list[tuple]:
    with tenant_context(organization=acme):
        return list(MentoringSession.objects.order_by("pk").values_list("pk", "starts_at"))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=days, at=times, duration=minutes, link=links, location=free_text, agenda=free_text)
def test_a_booking_is_made_cleanly_or_refused_by_name_and_changes_nothing(
    client, acme, pair, day, at, duration, link, location, agenda
):
    client.force_login(User.objects.get(email="ann@acme.example"))
    before = _sessions(acme)

    response = client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/new/",
        {
            "date": day,
            "time": at,
            "duration_minutes": duration,
            "video_link": link,
            "location": location,
            "agenda": agenda,
        },
    )

    after = _sessions(acme)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert len(after) == len(before) + 1  # booked: one session, nothing else
    else:
        page = response.content.decode()
        assert after == before  # refused: nothing changed
        assert 'class="errorlist' in page or 'role="alert"' in page, "a named error"
