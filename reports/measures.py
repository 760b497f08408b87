"""What the dashboard shows from a snapshot's raw figures: each measure's value, the
group size that decides whether it may be shown, and its target.

A measure reads only the flat, top-level figures (reports.kpis), so it works on a full
snapshot and on the few keys a trend query pulls out of many.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


def ratio(numerator, denominator) -> float | None:
    return None if not denominator else 100 * (numerator or 0) / denominator


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str
    value: Callable[[dict], float | None]
    # The number of people or answers behind the figure: below the threshold it is hidden.
    group: Callable[[dict], int] | None = None
    percent: bool = True
    target: str | None = None  # the Program field holding its target, in percent
    comparison: Callable[[dict], float | None] | None = None

    def group_size(self, figures: dict) -> int | None:
        return None if self.group is None else (self.group(figures) or 0)


def _get(name):
    return lambda f: f.get(name) or 0


def _pairs_people(figures: dict) -> int:
    """The people behind a figure about the pairs started: two a pair."""
    return 2 * (figures.get("pairs_started") or 0)


MEASURES = (
    Measure(
        "pairs_active",
        _("Active pairs"),
        _("Pairs published and not ended at the end of the day."),
        value=lambda f: f.get("pairs_active") or 0,
        percent=False,
    ),
    Measure(
        "sessions",
        _("Sessions held"),
        _("Sessions logged as held, against the planned sessions of every pair started."),
        value=lambda f: ratio(f.get("sessions_held"), f.get("sessions_planned")),
        group=_pairs_people,
    ),
    Measure(
        "cadence",
        _("Cadence kept"),
        _(
            "Share of active pairs on track: at most one session behind the program's rhythm "
            "and a session within two intervals."
        ),
        value=lambda f: ratio(f.get("cadence_kept"), f.get("cadence_judged")),
        group=lambda f: 2 * (f.get("cadence_judged") or 0),
        target="cadence_target",
    ),
    Measure(
        "training",
        _("Training completed"),
        _("Share of approved participants who completed every module for their role."),
        value=lambda f: ratio(f.get("training_complete"), f.get("training_people")),
        group=_get("training_people"),
    ),
    Measure(
        "satisfaction",
        _("Satisfaction"),
        _("Share of end-of-program answers at 4 or 5 of 5 to “Overall, I am satisfied”."),
        value=lambda f: ratio(f.get("satisfied"), f.get("satisfaction_answers")),
        group=_get("satisfaction_answers"),
        target="satisfaction_target",
    ),
    Measure(
        "nps",
        _("NPS"),
        _("End-of-program answers: share of promoters (9–10) minus share of detractors (0–6)."),
        value=lambda f: (
            None
            if not f.get("nps_answers")
            else 100 * (_get("promoters")(f) - _get("detractors")(f)) / f["nps_answers"]
        ),
        group=_get("nps_answers"),
        percent=False,
    ),
    Measure(
        "goals",
        _("Goals completed"),
        _("Goals and action items marked done, of all the pairs set."),
        value=lambda f: ratio(f.get("goals_done"), f.get("goals_set")),
        group=_pairs_people,
    ),
    Measure(
        "cross_department",
        _("Across departments"),
        _("Share of pairs whose two people work in different departments."),
        value=lambda f: ratio(f.get("pairs_cross_department"), f.get("pairs_started")),
        group=_pairs_people,
    ),
    Measure(
        "retention",
        _("12-month retention"),
        _(
            "Participants still employed 12 months after their cohort began (or by now), "
            "against non-participants of the same department and job level."
        ),
        value=lambda f: ratio(f.get("retention_kept"), f.get("retention_people")),
        group=lambda f: min(_get("retention_people")(f), _get("retention_comparison")(f)),
        comparison=lambda f: ratio(f.get("retention_expected"), f.get("retention_people")),
    ),
    Measure(
        "promotion",
        _("Mentors promoted"),
        _(
            "Mentors whose job level rose within 12 months of their cohort's start, against "
            "non-participants of the same department and job level."
        ),
        value=lambda f: ratio(f.get("promotion_promoted"), f.get("promotion_people")),
        group=lambda f: min(_get("promotion_people")(f), _get("retention_comparison")(f)),
        comparison=lambda f: ratio(f.get("promotion_expected"), f.get("promotion_people")),
    ),
)
BY_KEY = {measure.key: measure for measure in MEASURES}
# The flat figures the measures read: what a trend query pulls out of each snapshot.
TREND_FIGURES = (
    "invited",
    "applied",
    "approved",
    "active",
    "pairs_active",
    "pairs_started",
    "pairs_cross_department",
    "sessions_held",
    "sessions_planned",
    "cadence_judged",
    "cadence_kept",
    "training_people",
    "training_complete",
    "satisfaction_answers",
    "satisfied",
    "nps_answers",
    "promoters",
    "detractors",
    "goals_set",
    "goals_done",
    "retention_people",
    "retention_kept",
    "retention_expected",
    "retention_comparison",
    "promotion_people",
    "promotion_promoted",
    "promotion_expected",
)


@dataclass(frozen=True)
class Shown:
    """A measure's value as it may be shown: ``hidden`` when its group is too small."""

    value: float | None
    comparison: float | None = None
    hidden: bool = False

    @property
    def rounded(self) -> int | None:
        return None if self.value is None else round(self.value)

    @property
    def comparison_rounded(self) -> int | None:
        return None if self.comparison is None else round(self.comparison)


def shown(measure: Measure, figures: dict, threshold: int) -> Shown:
    size = measure.group_size(figures)
    if size is not None and 0 < size < threshold:
        return Shown(None, None, hidden=True)
    comparison = measure.comparison(figures) if measure.comparison else None
    return Shown(measure.value(figures), comparison)
