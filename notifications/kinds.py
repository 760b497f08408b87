"""The registry of notification kinds, and of the reminder rules that create them.

Notifications sit below the feature apps: they know nothing of sessions, pairs or
surveys. Each feature app registers, when it loads (its AppConfig.ready), the kinds it
sends, for each whether it is news rather than a reminder and how to tell that one
waiting to be emailed still holds, and the rules the reminders tick runs. Delivery,
caps, digests and quiet hours then treat every kind alike (notifications.delivery).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DIGEST = "digest"


@dataclass(frozen=True)
class Candidate:
    """A notification a rule wants one person to have."""

    recipient: object  # organizations.models.Membership
    kind: str
    key: str  # "kind:object:occasion", unique per person
    title: str
    body: str
    url: str = ""  # a path in the app
    # A reminder that could only be emailed after this moment (the person's night ran
    # past it) is not worth creating: a session reminder after the session.
    deadline: datetime | None = None


# (notification, now) -> whether it still holds; a kind without one always does.
StillDue = Callable[[object, datetime], bool]
# (organization, now) -> the candidates one reminders tick should create.
Rule = Callable[[object, datetime], Iterable[Candidate]]


@dataclass(frozen=True)
class NotificationKind:
    value: str
    label: str | Promise
    # News rather than a reminder (being paired, a pairing ended): always emailed, never
    # muted, capped or folded into the digest, and not counted against the cap.
    always_emailed: bool = False
    still_due: StillDue | None = None
    # Shown in the app only, never emailed: its email goes another way (a calendar
    # invitation tells of a booking), and a second email of the same news is noise.
    app_only: bool = False


_KINDS: dict[str, NotificationKind] = {}
_RULES: list[Rule] = []


def register_kind(
    value: str,
    label,
    *,
    always_emailed: bool = False,
    still_due: StillDue | None = None,
    app_only: bool = False,
) -> None:
    kind = NotificationKind(str(value), label, always_emailed, still_due, app_only)
    if _KINDS.get(kind.value, kind) != kind:
        raise ValueError(f"Notification kind {kind.value!r} is registered twice, differently.")
    _KINDS[kind.value] = kind


def register_rules(*rules: Rule) -> None:
    for rule in rules:
        if rule not in _RULES:
            _RULES.append(rule)


def kind_choices() -> list[tuple[str, str]]:
    """The model field's choices: every registered kind, in the order registered."""
    return [(kind.value, kind.label) for kind in _KINDS.values()]


def always_emailed_kinds() -> list[str]:
    return [kind.value for kind in _KINDS.values() if kind.always_emailed]


def mutable_kinds() -> list[str]:
    """What a person may keep to the app (no email): every reminder, not news, the
    digest itself or what is never emailed anyway."""
    return [
        k.value
        for k in _KINDS.values()
        if not k.always_emailed and not k.app_only and k.value != DIGEST
    ]


def app_only_kinds() -> list[str]:
    return [kind.value for kind in _KINDS.values() if kind.app_only]


def label_of(value: str) -> str:
    kind = _KINDS.get(value)
    return str(kind.label) if kind else value


def still_due(notification, now: datetime) -> bool:
    """Whether a notification waiting to be emailed still holds (its kind decides)."""
    kind = _KINDS.get(notification.kind)
    return kind is None or kind.still_due is None or kind.still_due(notification, now)


def rule_candidates(organization, now: datetime) -> list[Candidate]:
    """Every registered rule's candidates for one organisation at ``now``."""
    return [candidate for rule in _RULES for candidate in rule(organization, now)]


register_kind(DIGEST, _("Weekly digest"))
