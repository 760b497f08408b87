"""The transactional outbox: what must go out is first a row, then a delivery.

Nothing that must be sent depends on the broker being up at that moment:

- ``outbox_add`` writes the message in the caller's transaction, so it exists exactly
  when the change that causes it does (a rolled-back booking sends nothing) and, keyed
  per organisation, once however often it is written;
- once that transaction has committed, a task is asked to deliver it at once (the fast
  path). The broker being away only costs the fast path: the error is logged, the
  request carries on, and the message waits;
- the sweep (``notifications.tasks.outbox_sweep_task``, every minute) delivers whatever
  is due and unsent: after a broker or worker outage, and a failed delivery again later
  (backing off, its error recorded on the row).

Exactly one delivery however many workers run, as ``notifications.delivery`` does it for
notifications: each message in its own transaction, locked with ``SKIP LOCKED``, re-read
as unsent, handed to its handler and marked sent in that same transaction. A handler
that raises rolls it all back, and the failure is recorded afterwards. What a handler does
outside the database (an email) is at most repeated in the instant between it and the
commit; the handlers already keep their own marks for that (Message-IDs derived from the
occasion, the calendar invitations' per-person marks).

Feature apps register, when they load (their AppConfig.ready), the handler of each kind
they write: ``handler(organization=..., **args)``, called inside the organisation. The
apps below this one write and register through ``organizations.outgoing``.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from notifications.models import OutboxMessage
from organizations import outgoing
from organizations.models import Organization
from organizations.tenancy import tenant_context

logger = logging.getLogger(__name__)

Handler = Callable[..., None]

# A failed delivery is tried again after 30 s, then twice as long each time up to an
# hour; after this many attempts the message stays in the table, unsent, with its error,
# for an operator (about a day of trying).
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 30
# One sweep of one organisation takes at most this many messages; the rest wait a minute.
SWEEP_BATCH = 500
# After the broker refused a message, this process leaves the next ones to the sweep for
# this long (monotonic clock) rather than wait on the broker again for each.
FAST_PATH_PAUSE_SECONDS = 30.0
_fast_path_paused_until = 0.0

_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """``handler(organization=..., **args)`` delivers the messages of ``kind``. It runs
    inside the organisation and the message's transaction; it raises to be retried."""
    if _HANDLERS.get(kind, handler) is not handler:
        raise ValueError(f"Outbox kind {kind!r} is registered twice, differently.")
    _HANDLERS[kind] = handler


def _handler(kind: str) -> Handler | None:
    return _HANDLERS.get(kind) or outgoing.handler_for(kind)


# --- Writing ------------------------------------------------------------------------


def outbox_add(*, organization: Organization, kind: str, key: str, args: dict[str, Any]) -> None:
    """Write a message in the caller's transaction and, once it commits, try to deliver
    it at once. ``key`` names the occasion ("session-invite:12:3"); a message whose key
    the organisation already has is not written again. ``args`` must be JSON."""
    if _handler(kind) is None:
        raise ValueError(f"No handler is registered for outbox kind {kind!r}.")
    with tenant_context(organization=organization):
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    organization=organization,
                    kind=kind,
                    key=key,
                    args=args,
                    next_attempt_at=timezone.now(),
                )
            ],
            ignore_conflicts=True,
        )
    organization_id = organization.pk
    transaction.on_commit(lambda: _hand_to_worker(organization_id, key))


def _hand_to_worker(organization_id: int, key: str) -> None:
    """The fast path. Publishes once, without Celery's publish retries, and not at all
    for a while after the broker has just refused one (a request that writes a hundred
    messages must not wait for a hundred refusals); whatever goes wrong here is the
    sweep's to make good, never the request's."""
    from notifications.tasks import outbox_deliver_task

    global _fast_path_paused_until
    if time.monotonic() < _fast_path_paused_until:
        return
    try:
        outbox_deliver_task.apply_async(
            kwargs={"organization_id": organization_id, "key": key}, retry=False
        )
    except (BrokerError, OSError):
        _fast_path_paused_until = time.monotonic() + FAST_PATH_PAUSE_SECONDS
        logger.warning(
            "The broker is unreachable: outbox message %r of organisation %s waits for the sweep",
            key,
            organization_id,
            exc_info=True,
        )
    except Exception:
        # With tasks running eagerly (the test settings) the delivery ran
        # here and failed: it recorded its failure, and the sweep tries again.
        logger.exception("Outbox message %r was not delivered at once", key)


# --- Delivering ---------------------------------------------------------------------


def outbox_deliver_due(*, organization: Organization, now: datetime) -> Counter:
    """The sweep of one organisation: every unsent message due by ``now``, each in its
    own transaction. Returns what happened to them (sent, failed, skipped)."""
    with tenant_context(organization=organization):
        due = list(
            OutboxMessage.objects.filter(
                organization=organization,
                sent_at__isnull=True,
                next_attempt_at__lte=now,
                attempts__lt=MAX_ATTEMPTS,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
    return Counter(_deliver(organization, now, pk=pk) for pk in due)


def outbox_deliver_one(*, organization: Organization, key: str) -> str:
    """The fast path's delivery of one message, whatever its next attempt time."""
    return _deliver(organization, timezone.now(), key=key)


def _deliver(organization: Organization, now: datetime, **lookup) -> str:
    message_id = None
    try:
        with tenant_context(organization=organization):
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(organization=organization, sent_at__isnull=True, **lookup)
                .first()
            )
            if message is None:
                return "skipped"  # sent already, or another worker has it now
            message_id = message.pk
            handler = _handler(message.kind)
            if handler is None:
                raise LookupError(f"No handler is registered for outbox kind {message.kind!r}.")
            handler(organization=organization, **message.args)
            message.sent_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts"])
            return "sent"
    except Exception as error:
        logger.exception("Outbox message %s could not be delivered", message_id or lookup)
        if message_id is not None:
            _record_failure(organization, message_id, error, now)
        return "failed"


def _record_failure(
    organization: Organization, message_id: int, error: Exception, now: datetime
) -> None:
    with tenant_context(organization=organization):
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        message.next_attempt_at = now + retry_after(message.attempts)
        message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        if message.attempts >= MAX_ATTEMPTS:
            logger.error(
                "Outbox message %s (%s) failed %s times; no more attempts",
                message.pk,
                message.kind,
                message.attempts,
            )


def retry_after(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failure a message is tried again."""
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 16), RETRY_MAX)
