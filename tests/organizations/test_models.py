"""The status predicates templates ask instead of comparing strings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from directory.models import DirectoryImport
from organizations.models import Invitation


def _invitation(**dates) -> Invitation:
    dates.setdefault("expires_at", timezone.now() + timedelta(days=1))
    return Invitation(**dates)


def test_an_invitation_is_pending_until_accepted_revoked_or_past_its_date():
    now = timezone.now()
    pending = _invitation()
    accepted_late = _invitation(accepted_at=now, expires_at=now - timedelta(days=1))
    revoked = _invitation(revoked_at=now)
    expired = _invitation(expires_at=now - timedelta(seconds=1))
    assert (pending.is_pending, pending.is_accepted, pending.is_expired) == (True, False, False)
    # Accepted before it expired: accepted, not expired, whatever the date says now.
    assert (accepted_late.is_accepted, accepted_late.is_expired) == (True, False)
    assert (revoked.is_pending, revoked.is_accepted, revoked.is_expired) == (False, False, False)
    assert (expired.is_pending, expired.is_expired) == (False, True)


@pytest.mark.parametrize("status", DirectoryImport.Status)
def test_a_directory_import_has_exactly_its_own_status_predicate(status):
    record = DirectoryImport(status=status)
    predicates = ["is_checking", "is_checked", "is_applying", "is_applied", "is_discarded"]
    predicates.append("is_failed")
    held = [name for name in predicates if getattr(record, name)]
    assert held == [f"is_{status}"]
