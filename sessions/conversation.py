"""The pair's conversation (issue 20): a message thread for its two people only.

Program managers and executives never read a message: nothing here returns one except to
the pair's people, and PostgreSQL's restrictive policy on ``mentoring_message``
(``sessions.models.MESSAGE_READERS``) hides every row from a query made on anybody
else's behalf. What managers may know is the ``Conversation`` row: when the pair last
wrote, which counts toward "gone quiet".

A message the partner has not read is told to them once per unread run: in the app at
once and by email through the reminders' delivery (their cap, digest and quiet hours);
the notice is withdrawn if they read the thread before it goes out. It says who wrote,
never what.

Messages are kept while the pair is active and for the organisation's
``message_retention_days`` after it ends; then ``messages_purge`` deletes the
conversation, and with it (in the database) its messages.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching.models import Pair
from matching.notices import notices_send
from notifications.kinds import Candidate, register_kind
from organizations.languages import speaking_to
from organizations.models import Membership, Organization
from programs.models import Participant
from sessions.models import Conversation, Message

THREAD_LENGTH = 50  # the latest messages shown; older ones stay until the retention ends


class MessageNotice(models.TextChoices):
    PAIR_MESSAGE = "pair_message", gettext_lazy("A message from your mentoring partner")


def register() -> None:
    register_kind(MessageNotice.PAIR_MESSAGE, MessageNotice.PAIR_MESSAGE.label, still_due=unread)


def _role(pair: Pair, participant: Participant) -> str:
    return "mentor" if participant.pk == pair.mentor_id else "mentee"


def conversation_of(pair: Pair) -> Conversation:
    conversation, _created = Conversation.objects.get_or_create(
        organization=pair.organization, pair=pair
    )
    return conversation


def thread(pair: Pair, me: Participant) -> tuple[list[Message], int]:
    """The latest messages (oldest first, each with ``is_new``: from the partner since
    ``me`` last read) and how many older ones are not shown. Marks the thread read."""
    conversation = Conversation.objects.filter(pair=pair).first()
    if conversation is None:
        return [], 0  # nothing written yet (or deleted after the retention)
    field = f"{_role(pair, me)}_read_at"
    read_before = getattr(conversation, field)
    messages = conversation.messages.select_related("sender__employee")
    total = messages.count()
    latest = list(messages.order_by("-created_at", "-pk")[:THREAD_LENGTH])[::-1]
    for message in latest:
        message.is_new = message.sender_id != me.pk and (
            read_before is None or message.created_at > read_before
        )
    if conversation.last_message_at and (
        read_before is None or read_before < conversation.last_message_at
    ):
        Conversation.objects.filter(pk=conversation.pk).update(**{field: timezone.now()})
    return latest, max(total - THREAD_LENGTH, 0)


@transaction.atomic
def message_send(*, pair: Pair, sender: Participant, text: str) -> Message:
    text = text.strip()
    if not pair.is_active:
        raise ValidationError(_("This pair has ended: its conversation is closed."))
    if not text:
        raise ValidationError(_("Write a message first."))
    if len(text) > Message.MAX_LENGTH:
        raise ValidationError(
            ngettext(
                "Keep it under %(n)s character.",
                "Keep it under %(n)s characters.",
                Message.MAX_LENGTH,
            )
            % {"n": f"{Message.MAX_LENGTH:,}"}
        )
    conversation = Conversation.objects.select_for_update().get(pk=conversation_of(pair).pk)
    message = Message.objects.create(
        organization=pair.organization, conversation=conversation, sender=sender, text=text
    )
    role = _role(pair, sender)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, **{f"{role}_read_at": message.created_at}
    )
    partner = pair.mentee if role == "mentor" else pair.mentor
    _tell_partner(pair, conversation, sender=sender, partner=partner)
    return message


def _tell_partner(pair: Pair, conversation: Conversation, *, sender, partner) -> None:
    """One notice per run of messages the partner has not read: its key carries when
    they last read the thread."""
    recipient = (
        Membership.objects.filter(employee=partner.employee_id, is_active=True)
        .select_related("user", "organization")
        .first()
    )
    if recipient is None:
        return
    role = _role(pair, partner)
    read_at = getattr(conversation, f"{role}_read_at")
    marker = int(read_at.timestamp()) if read_at else 0
    organization = pair.organization
    path = reverse("mentoring:pair", kwargs={"org_slug": organization.slug, "pair_id": pair.pk})
    with speaking_to(recipient, organization):
        candidate = Candidate(
            recipient=recipient,
            kind=MessageNotice.PAIR_MESSAGE,
            key=f"{MessageNotice.PAIR_MESSAGE}:{conversation.pk}:{role}:{marker}",
            title=_("%(name)s wrote to you") % {"name": sender.employee.name},
            body=_("%(name)s sent you a message in your pair's conversation.")
            % {"name": sender.employee.name},
            url=path + "#conversation",
        )
    notices_send(organization=organization, candidates=[candidate])


def unread(notification, now: datetime) -> bool:
    """Still worth emailing: the recipient has not read the thread since it was made."""
    _kind, conversation_id, role, _marker = notification.key.split(":")
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return False
    read_at = getattr(conversation, f"{role}_read_at")
    return read_at is None or read_at < notification.created_at


def messages_purge(*, organization: Organization, now: datetime | None = None) -> int:
    """Deletes the conversations of pairs that ended more than the organisation's
    retention ago; PostgreSQL deletes their messages (ON DELETE CASCADE). The number of
    conversations deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=organization.message_retention_days)
    ended = Conversation.objects.filter(
        organization=organization,
        pair__status__in=[Pair.Status.ENDED, Pair.Status.DROPPED],
        pair__ended_at__lt=cutoff,
    )
    deleted, _per_model = ended.delete()
    return deleted
