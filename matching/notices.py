"""Telling people about their pairs, through the reminders' notification machinery: a
notice in the app at once, emailed by the same pipeline (out of the person's night).

Each notice has a key naming its pair, occasion and person, unique per recipient, so a
service or task that runs twice tells nobody twice. The reason a pair ended reaches the
program's managers only: the two people's notices never carry it.
"""

import hashlib
from collections.abc import Iterable

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.links import members_by_employee
from directory.zones import zones_for_members
from matching.models import MatchRun, Pair
from notifications import delivery
from notifications.kinds import Candidate, register_kind
from notifications.outbox import outbox_add, register_handler
from organizations.languages import in_sentence, speaking_to
from organizations.models import Membership, Organization
from programs.models import Participant
from programs.selectors import program_manager_links


class PairNotice(models.TextChoices):
    PAIR_PUBLISHED = "pair_published", gettext_lazy("You have been paired")
    PAIR_ENDED = "pair_ended", gettext_lazy("Your pairing has ended")
    PAIR_ENDED_ALERT = "pair_ended_alert", gettext_lazy("A pair has ended (program managers)")
    NOT_MATCHED = "not_matched", gettext_lazy("You were not matched this round")


def register() -> None:
    """Being paired, a pair ending or a round leaving someone out is news rather than a
    reminder: always emailed. The managers' alert is a reminder like any other."""
    for kind in PairNotice:
        register_kind(kind.value, kind.label, always_emailed=kind != PairNotice.PAIR_ENDED_ALERT)
    register_handler(OUTBOX_KIND, notices_deliver)


OUTBOX_KIND = "matching.pair_notices"


def notices_send(*, organization: Organization, candidates: list[Candidate]) -> None:
    """Create the notices now (in the caller's transaction) and email them once it has
    committed: the outbox asks for the delivery with them, so the broker being away
    delays the emails and fails nothing."""
    delivery.create(candidates, timezone.now())
    if candidates:
        occasion = hashlib.sha256(
            "\n".join(sorted(f"{c.recipient.pk}:{c.key}" for c in candidates)).encode()
        ).hexdigest()[:32]
        outbox_add(
            organization=organization, kind=OUTBOX_KIND, key=f"pair-notices:{occasion}", args={}
        )


def notices_deliver(*, organization: Organization) -> None:
    """The outbox's handler: the reminders' delivery, so whatever else of the
    organisation's is due goes too, each notice once (locked and marked sent in the
    transaction that sends it). It takes its own transactions, one per notice."""
    delivery.deliver(organization, timezone.now())


def pair_published(*, organization: Organization, pairs: Iterable[Pair]) -> list[Candidate]:
    """Both people of each pair: who their partner is, and why."""
    members = members_by_employee(organization)
    candidates = []
    for pair in pairs:
        for person, partner in _people(pair):
            recipient = _member(members, person)
            if recipient is None:
                continue  # no account to sign in with: nothing to show them
            with speaking_to(recipient, organization):
                body = "\n\n".join(
                    [
                        _("You are paired with %(partner)s as your %(role)s in %(program)s.")
                        % {
                            "partner": partner.employee.name,
                            "role": in_sentence(partner.get_role_display()),
                            "program": pair.program.name,
                        },
                        _("Why you were matched: %(why)s") % {"why": pair.explanation},
                        _(
                            "Next: agree a time for your first session, to get to know each "
                            "other and agree your goals."
                        ),
                    ]
                )
                candidates.append(
                    Candidate(
                        recipient=recipient,
                        kind=PairNotice.PAIR_PUBLISHED,
                        key=f"{PairNotice.PAIR_PUBLISHED}:pair:{pair.pk}:{person.pk}",
                        title=_("%(program)s: meet %(partner)s")
                        % {"program": pair.program.name, "partner": partner.employee.name},
                        body=body,
                        url=_participation_path(organization, person),
                    )
                )
    return candidates


def pair_ended(*, organization: Organization, pair: Pair) -> list[Candidate]:
    """Both people: the pairing has ended, without blame. Never the reason."""
    members = members_by_employee(organization)
    candidates = []
    for person, partner in _people(pair):
        recipient = _member(members, person)
        if recipient is None:
            continue
        with speaking_to(recipient, organization):
            candidates.append(
                Candidate(
                    recipient=recipient,
                    kind=PairNotice.PAIR_ENDED,
                    key=f"{PairNotice.PAIR_ENDED}:pair:{pair.pk}:{person.pk}",
                    title=_("%(program)s: your pairing has ended") % {"program": pair.program.name},
                    body=_(
                        "Your pairing with %(partner)s in %(program)s has ended. Nobody is at "
                        "fault: the program manager will be in touch about a new match."
                    )
                    % {"partner": partner.employee.name, "program": pair.program.name},
                    url=_participation_path(organization, person),
                )
            )
    return candidates


def pair_ended_alert(*, organization: Organization, pair: Pair) -> list[Candidate]:
    """The program's managers (but not the one who ended it): who ended the pair, when,
    and their reason."""
    managers = (
        Membership.objects.filter(
            pk__in=program_manager_links().filter(program=pair.program_id).values("membership"),
        )
        .exclude(pk=pair.ended_by_id or 0)
        .select_related("user", "organization")
        .order_by("pk")
    )
    candidates = []
    managers = list(managers)
    zones = zones_for_members(organization=organization, memberships=managers)
    names = {"mentor": pair.mentor.employee.name, "mentee": pair.mentee.employee.name}

    def body(zone) -> str:
        # The date of the end in the reader's own time zone, as every email has it.
        return "\n\n".join(
            [
                _("%(who)s ended it on %(date)s.")
                % {
                    "who": ended_by_words(pair),
                    "date": formats.date_format(
                        timezone.localtime(pair.ended_at, zone), "DATE_FORMAT"
                    ),
                },
                _("Their reason (program managers only): %(reason)s") % {"reason": pair.end_reason},
                _("Both can be matched again, never with each other in this program."),
                _("%(program)s, %(cohort)s.")
                % {"program": pair.program.name, "cohort": pair.cohort.name},
            ]
        )

    for manager in managers:
        with speaking_to(manager, organization):
            candidates.append(
                Candidate(
                    recipient=manager,
                    kind=PairNotice.PAIR_ENDED_ALERT,
                    key=f"{PairNotice.PAIR_ENDED_ALERT}:pair:{pair.pk}:ended",
                    title=_("%(mentor)s and %(mentee)s are no longer paired") % names,
                    body=body(zones[manager.pk]),
                    url=reverse(
                        "matching:cohort",
                        kwargs={
                            "org_slug": organization.slug,
                            "program_id": pair.program_id,
                            "cohort_id": pair.cohort_id,
                        },
                    ),
                )
            )
    return candidates


def not_matched(
    *, organization: Organization, run: MatchRun, people: Iterable[Participant]
) -> list[Candidate]:
    """Each person a published round left without a partner: kindly, that nobody suitable
    had a free place this time (never anyone's name or score), what happens next, and that
    they can ask to be matched again from their page."""
    members = members_by_employee(organization)
    candidates = []
    for person in people:
        recipient = _member(members, person)
        if recipient is None:
            continue
        with speaking_to(recipient, organization):
            body = "\n\n".join(
                [
                    _(
                        "The program manager has published this round's pairs in %(program)s, "
                        "and this time you were not matched. That says nothing about you: "
                        "nobody suitable for you had a free place in this round."
                    )
                    % {"program": person.program.name},
                    _(
                        "What happens next: you stay in the program, and the program manager "
                        "can match you in a later round, when new people join or places free "
                        "up. You can also ask to be matched again from your page, in one "
                        "click, so they know you are waiting."
                    ),
                ]
            )
            candidates.append(
                Candidate(
                    recipient=recipient,
                    kind=PairNotice.NOT_MATCHED,
                    key=f"{PairNotice.NOT_MATCHED}:run:{run.pk}:{person.pk}",
                    title=_("%(program)s: not matched this round")
                    % {"program": person.program.name},
                    body=body,
                    url=_participation_path(organization, person),
                )
            )
    return candidates


def ended_by_words(pair: Pair) -> str:
    """Who ended a pair, for program managers: "Ann Junior, the mentor"."""
    if pair.ended_by_role == Pair.EndedBy.MENTOR:
        return _("%(name)s, the mentor") % {"name": pair.mentor.employee.name}
    if pair.ended_by_role == Pair.EndedBy.MENTEE:
        return _("%(name)s, the mentee") % {"name": pair.mentee.employee.name}
    user = pair.ended_by.user if pair.ended_by_id else None
    if user is None:
        return _("A program manager")
    return _("%(name)s, a program manager") % {"name": user.name or user.email}


def _people(pair: Pair) -> list[tuple[Participant, Participant]]:
    return [(pair.mentor, pair.mentee), (pair.mentee, pair.mentor)]


def _member(members: dict[int, Membership], person: Participant) -> Membership | None:
    return members.get(person.employee_id)


def _participation_path(organization: Organization, person: Participant) -> str:
    return reverse(
        "home:participation",
        kwargs={"org_slug": organization.slug, "participant_id": person.pk},
    )
