"""A day's publication: from a scope's raw figures (reports.kpis) and the figures last
published for it, what every output may show for that day, by the rule of
organizations.disclosure (stated for the KPIs in reports.measures).

Pure: figures and publications in, the day's publication out. ``snapshot_write``
(reports.services) reads the ledger, calls ``publish_day`` for every scope and stores the
result on the snapshot (``Snapshot.published``: the measures, small, read by trends;
``published_detail``: the breakdowns, read for the dashboard's latest day) and the new
publications in the ledger. Which small rows to hide is organizations.suppression's.

Every group is published on its own: a measure (its group as ``Measure.group`` says), and
each row of a breakdown (a department, a job level, a generation, a self-identified
answer among participants and in the workforce, a theme of commitments, a link between
two departments, a topic's baseline and end ratings, the concerns). A breakdown's shares
are of the published counts of its rows that show a figure or stand behind one (hidden
only to cover a smaller one): a row under the threshold counts in no total, so no
subtraction finds it, and a total moves only when one of its rows is published anew.
"""

from dataclasses import dataclass, field
from datetime import date

from organizations.disclosure import Candidate, Publication, is_new, key_of, publication
from organizations.suppression import hide_small
from reports.formulas import CATEGORY_DIMENSIONS
from reports.measures import MEASURES

BREAKDOWNS = ("by_department", "by_level", "by_generation")
ROLES = ("mentor", "mentee")


History = tuple[Publication, ...]  # every publication of a key, oldest first


@dataclass
class Published:
    measures: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)
    # key -> its publications, the new one last: what the ledger records
    fresh: dict[str, History] = field(default_factory=dict)


class _Day:
    """One scope's publication under way: the reference, the day, what is new."""

    def __init__(self, reference: dict[str, History], threshold: int, day: date):
        self.reference = reference
        self.threshold = threshold
        self.day = day
        self.fresh: dict[str, History] = {}

    def publish(self, key: str, candidate: Candidate) -> Publication | None:
        history = self.reference.get(key, ())
        now = publication(history, candidate, threshold=self.threshold, on=self.day)
        if is_new(history, now):
            self.fresh[key] = (*history, now)
        return now

    def count_table(self, prefix: str, counts: dict[str, int]) -> dict:
        """A breakdown of people (or items) per group: each row's published count, hidden
        under the threshold (zero included) and, as ever, with the next smallest when
        only a small one would be hidden; ``total`` sums the published rows."""
        hidden = hide_small(counts, self.threshold)
        cells, total = {}, 0
        for name, count in counts.items():
            now = self.publish(key_of(prefix, name), Candidate(count, {"count": count}))
            if now is None:
                cells[name] = {"hidden": True}
                continue
            total += now.figures["count"]
            if hidden[name]:
                cells[name] = {"hidden": True}
            else:
                cells[name] = {
                    "hidden": False,
                    "count": now.figures["count"],
                    "on": now.on.isoformat(),
                }
        return {"cells": cells, "total": total}


def _measures(day: _Day, figures: dict) -> dict:
    found = {}
    for measure in MEASURES:
        value = measure.value(figures)
        size = measure.group_size(figures)
        if size is None:  # a count of activity (active pairs): no group, shown as it is
            found[measure.key] = {"value": value, "group": None, "on": day.day.isoformat()}
            continue
        comparison = measure.comparison(figures) if measure.comparison else None
        now = day.publish(
            key_of("measure", measure.key),
            Candidate(size, {"value": value, "comparison": comparison}, measure.counts(figures)),
        )
        if now is None:
            found[measure.key] = {"hidden": True, "group": size}
        else:
            found[measure.key] = {
                "hidden": False,
                "group": size,
                "value": now.figures.get("value"),
                "comparison": now.figures.get("comparison"),
                "on": now.on.isoformat(),
            }
    return found


def _people(counts: dict) -> dict[str, int]:
    return {group: sum(roles.values()) for group, roles in counts.items()}


def _inclusion(day: _Day, figures: dict) -> dict:
    found = {}
    taking_part = figures.get("inclusion", {})
    workforce = figures.get("workforce_inclusion", {})
    for dimension in CATEGORY_DIMENSIONS:
        part, whole = taking_part.get(dimension, {}), workforce.get(dimension, {})
        answers = sorted(set(part) | set(whole))
        if not answers:
            continue
        found[dimension] = {
            "part": day.count_table(
                key_of("inclusion", dimension), {a: part.get(a, 0) for a in answers}
            ),
            "whole": day.count_table(
                key_of("workforce_inclusion", dimension), {a: whole.get(a, 0) for a in answers}
            ),
        }
    return found


def _skills(day: _Day, figures: dict) -> dict:
    """Per role and topic, the mean self-rating at the baseline and at the end, each a
    mean of its own group's ratings (the group rule alone); a row shows when both do."""
    found = {}
    for role in ROLES:
        rows = {}
        for topic, sums in figures.get("skills", {}).get(role, {}).items():
            means = {}
            for stage in ("baseline", "end"):
                n = sums.get(f"{stage}_n", 0)
                mean = sums.get(f"{stage}_sum", 0) / n if n else None
                means[stage] = day.publish(
                    key_of("skills", role, topic, stage), Candidate(n, {"mean": mean})
                )
            if any(one is None for one in means.values()):
                rows[topic] = {"hidden": True}
            else:
                rows[topic] = {
                    "hidden": False,
                    "baseline": means["baseline"].figures["mean"],
                    "end": means["end"].figures["mean"],
                    "on": max(one.on for one in means.values()).isoformat(),
                }
        if rows:
            found[role] = rows
    return found


def _commitments(day: _Day, figures: dict) -> dict:
    """Per theme, commitments made, kept and dropped: the group is those made, and a
    change of N in those kept or dropped publishes too."""
    by_theme = figures.get("commitments", {})
    made = {theme: counts.get("made", 0) for theme, counts in by_theme.items()}
    hidden = hide_small(made, day.threshold)
    found = {}
    for theme, counts in by_theme.items():
        kept, dropped = counts.get("kept", 0), counts.get("dropped", 0)
        now = day.publish(
            key_of("commitments", theme),
            Candidate(
                made[theme],
                {"made": made[theme], "kept": kept, "dropped": dropped},
                (kept, dropped),
            ),
        )
        if now is None or hidden[theme]:
            found[theme] = {"hidden": True}
        else:
            found[theme] = {"hidden": False, **now.figures, "on": now.on.isoformat()}
    return found


def _network(day: _Day, figures: dict) -> dict:
    """Links between two departments of at least N pairs, each with its published count."""
    found = {}
    for edge, count in figures.get("network", {}).items():
        now = day.publish(key_of("network", edge), Candidate(count, {"count": count}))
        if now is not None:
            found[edge] = now.figures["count"]
    return found


def _concerns(day: _Day, figures: dict) -> dict:
    raised = figures.get("concerns_raised", 0)
    resolved = figures.get("concerns_resolved", 0)
    now = day.publish(
        key_of("concerns"),
        Candidate(raised, {"raised": raised, "resolved": resolved}, (resolved,)),
    )
    if now is None:
        return {"hidden": True}
    return {"hidden": False, **now.figures, "on": now.on.isoformat()}


def publish_day(
    figures: dict,
    reference: dict[str, History],
    *,
    threshold: int,
    day: date,
    breakdowns: bool,
) -> Published:
    """One scope's publication for ``day`` from its raw ``figures`` and ``reference``, every
    earlier publication of each of its keys. ``breakdowns``: also the dashboard's tables
    (the organisation's and a program's; a cohort shows its measures only)."""
    work = _Day(reference, threshold, day)
    published = Published(measures=_measures(work, figures))
    if breakdowns:
        published.detail = {
            **{
                name: work.count_table(key_of(name), _people(figures.get(name, {})))
                for name in BREAKDOWNS
            },
            "inclusion": _inclusion(work, figures),
            "skills": _skills(work, figures),
            "commitments": _commitments(work, figures),
            "network": _network(work, figures),
            "concerns": _concerns(work, figures),
        }
    published.fresh = work.fresh
    return published
