"""``{{ change|change_sentence:when }}``: who moved or cancelled a session and how close to
it, as one sentence for each kind of change and each role, so a translator sees the whole
sentence ("Vom Mentor verschoben", "Reprogrammée par le mentor": the kind, the role and
their grammar agree in ways fragments glued together cannot)."""

from django import template
from django.utils.translation import ngettext_lazy

from sessions.models import SessionChange

register = template.Library()

_RESCHEDULED = SessionChange.Kind.RESCHEDULED
_CANCELLED = SessionChange.Kind.CANCELLED
# ngettext_lazy with the count's name: the plural is chosen when the numbers come in.
_SENTENCES = {
    (_RESCHEDULED, "mentor"): ngettext_lazy(
        "Rescheduled by the mentor on %(when)s, %(hours)s hour before.",
        "Rescheduled by the mentor on %(when)s, %(hours)s hours before.",
        "hours",
    ),
    (_RESCHEDULED, "mentee"): ngettext_lazy(
        "Rescheduled by the mentee on %(when)s, %(hours)s hour before.",
        "Rescheduled by the mentee on %(when)s, %(hours)s hours before.",
        "hours",
    ),
    (_RESCHEDULED, "manager"): ngettext_lazy(
        "Rescheduled by a program manager on %(when)s, %(hours)s hour before.",
        "Rescheduled by a program manager on %(when)s, %(hours)s hours before.",
        "hours",
    ),
    (_CANCELLED, "mentor"): ngettext_lazy(
        "Cancelled by the mentor on %(when)s, %(hours)s hour before.",
        "Cancelled by the mentor on %(when)s, %(hours)s hours before.",
        "hours",
    ),
    (_CANCELLED, "mentee"): ngettext_lazy(
        "Cancelled by the mentee on %(when)s, %(hours)s hour before.",
        "Cancelled by the mentee on %(when)s, %(hours)s hours before.",
        "hours",
    ),
    (_CANCELLED, "manager"): ngettext_lazy(
        "Cancelled by a program manager on %(when)s, %(hours)s hour before.",
        "Cancelled by a program manager on %(when)s, %(hours)s hours before.",
        "hours",
    ),
}


@register.filter
def change_sentence(change: SessionChange, when: str) -> str:
    """The change as a sentence; ``when`` is its moment, already formatted in the
    reader's time zone and locale."""
    hours = max(round(change.hours_notice), 0)
    sentence = _SENTENCES.get((change.kind, change.requested_by_role))
    if sentence is None:  # a role recorded before the three above: a manager acted
        sentence = _SENTENCES[(change.kind, "manager")]
    return sentence % {"when": when, "hours": hours}
