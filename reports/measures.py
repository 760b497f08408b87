"""The KPIs the dashboard shows: each measure's value from a snapshot's raw figures, the
group size that decides whether it may be shown, the counts behind it, and its target.

A measure reads only the flat, top-level figures (reports.kpis), with the formulas of
reports.formulas, so it works on a full snapshot and on the few keys a trend query pulls
out of many.

What is shown is never read from the raw figures: the nightly job publishes each measure
(reports.publication) and every output reads the publication (``shown``). The rule, the
same for the dashboard's tiles, trends and cohort table, its CSV, the KPI API, the
managers' digest and the overview (organizations.disclosure has its reasons):

- a measure whose group has fewer than N people (five, or the organisation's higher
  survey threshold) is hidden, whatever the size, zero included;
- once shown, its published value changes only when its group has changed by at least N
  people since the value last published, or when the count behind the value (``counts``:
  the sessions held, the pairs on track, the people trained or satisfied, the goals done,
  the pairs across departments, the participants kept or promoted) has changed by at least
  N; NPS, a mean of scores, follows its group alone. Until then the value shows with the
  day it was published;
- the publication is one per organisation, scope (the organisation, a program, a cohort)
  and measure, continued from the latest one whichever day is written: a date range only
  chooses which published days to show.

It does not protect against several people changing at once in opposite directions, nor
against someone who knows how all but one person of a group answered or changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programs.training import TRAINED_MEANS
from reports.formulas import net_promoter_score, ratio


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
    # The count behind the value (its numerator): a change of N in it publishes, as a
    # change of N in the group does. None for a mean of scores (NPS): the group alone.
    count: Callable[[dict], int] | None = None

    def group_size(self, figures: dict) -> int | None:
        return None if self.group is None else (self.group(figures) or 0)

    def counts(self, figures: dict) -> tuple[int, ...]:
        return () if self.count is None else (self.count(figures) or 0,)


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
        count=_get("sessions_held"),
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
        count=_get("cadence_kept"),
    ),
    Measure(
        "training",
        _("Training completed"),
        format_lazy("{} {}", _("Share of approved participants who are trained."), TRAINED_MEANS),
        value=lambda f: ratio(f.get("training_complete"), f.get("training_people")),
        group=_get("training_people"),
        count=_get("training_complete"),
    ),
    Measure(
        "satisfaction",
        _("Satisfaction"),
        _("Share of end-of-program answers at 4 or 5 of 5 to “Overall, I am satisfied”."),
        value=lambda f: ratio(f.get("satisfied"), f.get("satisfaction_answers")),
        group=_get("satisfaction_answers"),
        target="satisfaction_target",
        count=_get("satisfied"),
    ),
    Measure(
        "nps",
        _("NPS"),
        _("End-of-program answers: share of promoters (9–10) minus share of detractors (0–6)."),
        value=lambda f: net_promoter_score(
            f.get("promoters"), f.get("detractors"), f.get("nps_answers")
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
        count=_get("goals_done"),
    ),
    Measure(
        "cross_department",
        _("Across departments"),
        _("Share of pairs whose two people work in different departments."),
        value=lambda f: ratio(f.get("pairs_cross_department"), f.get("pairs_started")),
        group=_pairs_people,
        count=_get("pairs_cross_department"),
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
        count=_get("retention_kept"),
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
        count=_get("promotion_promoted"),
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


def headline(figures: dict) -> dict:
    """The figures a trend or a comparison table reads, from a whole snapshot."""
    return {name: figures[name] for name in TREND_FIGURES if name in figures}


@dataclass(frozen=True)
class Shown:
    """A measure's value as it may be shown: ``hidden`` when its group is too small, else
    the value published ``on`` that day (the latest publication, see the module)."""

    value: float | None
    comparison: float | None = None
    hidden: bool = False
    on: date | None = None

    @property
    def rounded(self) -> int | None:
        return None if self.value is None else round(self.value)

    @property
    def comparison_rounded(self) -> int | None:
        return None if self.comparison is None else round(self.comparison)


def shown(measure: Measure, published: dict, threshold: int) -> Shown:
    """A measure as a day's publication (``Snapshot.published``, or a trend row holding
    it) shows it. Hidden when the day published nothing for it, or when its group that
    day is under the threshold as it stands now (an organisation may raise it)."""
    one = published.get(measure.key)
    if not one or one.get("hidden"):
        return Shown(None, None, hidden=True)
    size = one.get("group")
    if size is not None and size < threshold:
        return Shown(None, None, hidden=True)
    on = one.get("on")
    return Shown(one.get("value"), one.get("comparison"), on=date.fromisoformat(on) if on else None)
