"""Publishing figures about groups so that no comparison over time gives one person away:
the rule every report and every survey result follows, as a pure function, and the ledger
of what was last published (``organizations.models.PublishedFigure``).

Hiding a group of fewer than N people on each day is not enough. Satisfaction "4 of 5"
one day and "4 of 6" the next tell that the sixth person was not satisfied; two date
ranges, a trend point and the next, the CSV and the API of two moments can be compared
the same way. The rule:

1. A figure rests on a group (the people who answered, the participants of a cohort).
   While the group has fewer than N people, nothing shows: "hidden", whatever the size,
   zero included (so "no answers" never tells a small group's news either).
2. A new value is published only when the group behind it differs by at least N people
   from the group of every value published before for it, or, for a share, when a count
   behind the value (the people satisfied, trained, on track) differs by at least N from
   that of every earlier one. Otherwise the figure shows the value published last among
   those it is that close to, with the day it was published (never one published for a
   later day than the one shown: then nothing shows).
3. What was published is one fact per organisation, scope and key (a ``PublishedFigure``
   row with its history), whichever output asks: page, CSV, API, digest, any day, any
   range, and a range rebuilt in another order.

So any two values ever shown for one figure come from groups that differ by at least N
people, or from counts that differ by at least N: never by one person's answer or change.

What it does not protect against, and the outputs say so where it matters:

- several people changing at once: a published change of N may be N + 1 people one way
  and one the other, and someone who knows how all but one of them changed (or answered)
  learns the last one's;
- the same person counted in two groups whose figures were published at different
  moments (a cohort and its program, a role and a department): the rule holds per
  group; differences across groups and moments together are not audited;
- figures outside it: enrolment counts and active pairs are counts of activity, shown
  as they are; an organisation that lowers its threshold publishes by the lower one
  from then on.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from organizations.models import PublishedFigure

KEY_LENGTH = 255
# The publications of a figure the ledger keeps, latest last. Far more than a program's
# life needs: what publishes often is a count that only grows (sessions held), whose
# publications that far back are thousands of people away from anything to come.
HISTORY_KEPT = 1000


@dataclass(frozen=True)
class Publication:
    """A published figure: what shows (``figures``), the day it was published (``on``),
    and the group's size and counts at that moment, which decide the next one."""

    size: int
    counts: tuple[int, ...]
    figures: dict
    on: date


@dataclass(frozen=True)
class Candidate:
    """A figure as it stands now, before the rule: the group's size, the counts behind the
    value (empty for a mean, which follows the group alone) and the figures themselves."""

    size: int
    figures: dict
    counts: tuple[int, ...] = field(default_factory=tuple)


# --- The rule (pure) ------------------------------------------------------------------


def changed_enough(previous: Publication, size: int, counts: Sequence[int], threshold: int) -> bool:
    """Whether the group, or a count behind the value, differs by ``threshold`` or more
    from what it was when ``previous`` was published (up or down)."""
    if abs(size - previous.size) >= threshold:
        return True
    # A count missing on one side (a measure's definition changed) is not compared.
    return any(
        abs(now - then) >= threshold for now, then in zip(counts, previous.counts, strict=False)
    )


def publication(
    history: Sequence[Publication], candidate: Candidate, *, threshold: int, on: date
) -> Publication | None:
    """What a group shows ``on`` a day, given every earlier publication of its figure
    (``history``, oldest first): None (hidden) under the threshold, whatever the size,
    zero included; a new publication when the candidate has changed enough from every
    earlier one; else the latest earlier one it is close to among those published by that
    day, unless its figures were withdrawn (``published_withdraw``); else None. So a hidden
    group, a withdrawn one or a past day written again (a range rebuilt) is compared with
    everything shown before, and shows nothing rather than a later day's figure."""
    if candidate.size < threshold:
        return None
    close = [
        earlier
        for earlier in history
        if not changed_enough(earlier, candidate.size, candidate.counts, threshold)
    ]
    if not close:
        return Publication(candidate.size, tuple(candidate.counts), candidate.figures, on)
    by_then = [earlier for earlier in close if earlier.on <= on]
    if not by_then or not by_then[-1].figures:
        return None
    return by_then[-1]


def is_new(history: Sequence[Publication], shown: Publication | None) -> bool:
    """Whether ``publication`` published anew (rather than repeating or hiding)."""
    return shown is not None and not any(shown is earlier for earlier in history)


def key_of(*parts: object) -> str:
    """A ledger key from its parts ("q12", "cohort=3,role=mentor", ...); a long one (a
    department's long name) is shortened to a digest, still one key per group."""
    key = "|".join(str(part) for part in parts)
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


# --- The ledger -------------------------------------------------------------------------


def _as_history(row: PublishedFigure) -> tuple[Publication, ...]:
    earlier = tuple(
        Publication(
            one["size"], tuple(one["counts"]), one["figures"], date.fromisoformat(one["on"])
        )
        for one in row.history or ()
    )
    latest = Publication(row.size, tuple(row.counts or ()), row.figures or {}, row.published_on)
    return (*earlier, latest)


def published_read(
    organization, scopes: Iterable[str]
) -> dict[str, dict[str, tuple[Publication, ...]]]:
    """Every publication of every key of the given scopes, oldest first:
    {scope: {key: (publication, ...)}}."""
    found: dict[str, dict[str, tuple[Publication, ...]]] = {}
    rows = PublishedFigure.objects.filter(organization=organization, scope__in=list(scopes))
    fields = ("scope", "key", "size", "counts", "figures", "published_on", "history")
    for row in rows.only(*fields):
        found.setdefault(row.scope, {})[row.key] = _as_history(row)
    return found


def _as_json(one: Publication) -> dict:
    return {"size": one.size, "counts": list(one.counts), "figures": one.figures,
            "on": one.on.isoformat()}  # fmt: skip


def published_write(
    organization, publications: dict[tuple[str, str], tuple[Publication, ...]]
) -> None:
    """Record new publications, {(scope, key): every publication, the new one last}, by
    upsert (the latest ``HISTORY_KEPT`` of them)."""
    if not publications:
        return
    publications = {where: history[-HISTORY_KEPT:] for where, history in publications.items()}
    PublishedFigure.objects.bulk_create(
        [
            PublishedFigure(
                organization=organization,
                scope=scope,
                key=key,
                size=history[-1].size,
                counts=list(history[-1].counts),
                figures=history[-1].figures,
                published_on=history[-1].on,
                history=[_as_json(one) for one in history[:-1]],
            )
            for (scope, key), history in publications.items()
        ],
        update_conflicts=True,
        unique_fields=["organization", "scope", "key"],
        update_fields=["size", "counts", "figures", "published_on", "history"],
        batch_size=500,
    )


def published_withdraw(organization, *, key_prefix: str) -> int:
    """Withdraw the figures of every publication whose key starts with ``key_prefix``
    (after a withdrawal of consent: the data must no longer show). Each keeps its sizes
    and counts as the reference, so the group shows nothing until it has changed by the
    threshold from all of them: a figure published at once without the person would give
    their answer away to anyone who remembers the last one."""
    rows = list(
        PublishedFigure.objects.filter(organization=organization, key__startswith=key_prefix)
    )
    for row in rows:
        row.figures = {}
        row.history = [{**one, "figures": {}} for one in row.history or ()]
    return PublishedFigure.objects.bulk_update(rows, ["figures", "history"], batch_size=500)


def publishing_lock(name: str) -> None:
    """Publications of one scope, one after the other: held to the end of the current
    transaction, so two requests that see different data cannot both publish (each would
    compare with the same old publication and show figures one answer apart). PostgreSQL
    only; SQLite, the embedded default, runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def _decide(reference, candidates, threshold, on):
    shown, fresh = {}, {}
    for key, candidate in candidates.items():
        history = reference.get(key, ())
        now = publication(history, candidate, threshold=threshold, on=on)
        shown[key] = now
        if is_new(history, now):
            fresh[key] = (*history, now)
    return shown, fresh


def publish(
    organization, scope: str, candidates: dict[str, Candidate], *, threshold: int, on: date
) -> dict[str, Publication | None]:
    """The publication each candidate shows now (None: hidden), by the rule, recording the
    new ones. For live figures (survey results): read, and only when something is to be
    published, decide again under the scope's lock and write, in one transaction."""
    reference = published_read(organization, [scope]).get(scope, {})
    shown, fresh = _decide(reference, candidates, threshold, on)
    if not fresh:
        return shown
    with transaction.atomic():
        publishing_lock(f"publish:{organization.pk}:{scope}")
        reference = published_read(organization, [scope]).get(scope, {})
        shown, fresh = _decide(reference, candidates, threshold, on)
        published_write(organization, {(scope, key): one for key, one in fresh.items()})
    return shown
