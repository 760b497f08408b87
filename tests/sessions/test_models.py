"""The status predicates templates and views ask instead of comparing strings."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from matching.models import MatchRun, Pair
from notifications.models import Notification
from sessions import cadence as rhythm
from sessions.emails import InviteKind
from sessions.models import Goal, MentoringSession, Note


def test_a_pair_says_whether_it_is_active_who_ended_it_and_who_changed_it():
    assert Pair(status="active").is_active
    assert not any(Pair(status=s).is_active for s in ("proposed", "ended", "dropped"))
    assert Pair(ended_by_role="mentor").ended_by_mentor
    assert Pair(ended_by_role="mentee").ended_by_mentee
    manager = Pair(ended_by_role="manager", source="manager")
    assert (manager.ended_by_mentor, manager.ended_by_mentee) == (False, False)
    assert manager.changed_by_manager and not Pair(source="engine").changed_by_manager
    assert MatchRun(status="draft").is_draft and not MatchRun(status="published").is_draft


def test_sessions_goals_notes_and_notifications_read_plainly():
    assert MentoringSession(status="scheduled").is_scheduled
    assert not MentoringSession(status="held").is_scheduled
    assert MentoringSession(status="cancelled").is_cancelled
    assert not MentoringSession(status="not_held").is_cancelled
    assert [Goal(status=s).is_open for s in ("open", "done", "dropped")] == [True, False, False]
    assert [Goal(status=s).is_done for s in ("open", "done", "dropped")] == [False, True, False]
    assert [Goal(status=s).is_dropped for s in ("open", "done", "dropped")] == [False, False, True]
    assert Note(visibility="private").is_private and not Note(visibility="shared").is_private
    statuses = ("pending", "sent", "digest", "muted")
    assert [Notification(status=s).in_digest for s in statuses] == [False, False, True, False]
    assert [Notification(status=s).is_muted for s in statuses] == [False, False, False, True]


@pytest.mark.parametrize("status", [rhythm.ON_TRACK, rhythm.BEHIND, rhythm.QUIET])
def test_a_cadence_is_behind_or_quiet_by_its_status(status):
    now = datetime(2025, 3, 1, tzinfo=UTC)
    pace = rhythm.Cadence(status, 0, 0, 6, None, now)
    assert (pace.is_behind, pace.is_quiet) == (status == rhythm.BEHIND, status == rhythm.QUIET)


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("scheduled", "Session with Bo, Sat 1 Mar, 10:00"),
        ("rescheduled", "Moved: session with Bo, now Sat 1 Mar, 10:00"),
        ("cancelled", "Cancelled: session with Bo"),
    ],
)
def test_the_invitation_subject_follows_the_version_of_the_event(kind, subject):
    context = {
        "kind": InviteKind(kind),
        "partner": SimpleNamespace(employee=SimpleNamespace(name="Bo")),
        "local_start": datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
    }
    rendered = render_to_string("sessions/email/invite_subject.txt", context)
    assert " ".join(rendered.split()) == subject
