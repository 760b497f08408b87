"""The executive dashboard's shape: what a page shows (tiles, charts, breakdowns, the
cohort table) and how each piece is built from a snapshot's publication. Pure; the
queries, a fixed handful whatever the size of the organisation (the nightly job did the
counting), are reports.selectors.dashboard_get's.

Executives see aggregates only, and only what the snapshots published
(reports.publication), never their raw figures: every group smaller than the reports'
threshold (five, or the organisation's higher survey threshold) is hidden, with the next
smallest when only one would be hidden; a figure changes only when its group (or the
count behind it) has changed by the threshold since it was last published, so that no
comparison of two days, two ranges or two outputs gives one person away.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from directory.models import EmployeeDemographics
from programs.models import Participant, Program
from reports import charts
from reports.formulas import CATEGORY_DIMENSIONS
from reports.measures import MEASURES, Measure, Shown
from sessions.models import Commitment

NETWORK_LINKS = 30  # the strongest links: more make neither a readable picture nor a fast page
GENERATION_LABELS = {
    "gen_z": _("Generation Z (born 1997 or later)"),
    "millennials": _("Millennials (1981–1996)"),
    "gen_x": _("Generation X (1965–1980)"),
    "boomers": _("Baby boomers (1946–1964)"),
    "silent": _("Born before 1946"),
    "unknown": _("Birth year not recorded"),
}
DIMENSION_LABELS = {
    "gender": _("Gender"),
    "disability": _("Disability"),
    "lgbtq": _("LGBTQ+"),
    "first_generation": _("First generation"),
}
ANSWER_LABELS = dict(EmployeeDemographics.Gender.choices) | dict(
    EmployeeDemographics.Answer.choices
)


@dataclass(frozen=True)
class Counted:
    """When a snapshot's figures were counted, for the words beside them: a past day is
    the nightly count, to the end of that day; today's was counted on request, at ``at``,
    and tonight's count completes it. Every page that shows snapshot figures says which
    (reports/partials/_as_of.html), so they are never read as live counts."""

    day: date
    at: datetime
    today: bool


@dataclass
class Tile:
    measure: Measure
    shown: Shown
    target: int | None
    spark: str

    @property
    def met(self) -> bool | None:
        if self.target is None or self.shown.value is None:
            return None
        return self.shown.value >= self.target


@dataclass
class Group:
    label: str
    count: int
    hidden: bool = False
    share: int | None = None  # percent of the shown total
    extra: dict = field(default_factory=dict)


def _groups(table: dict, label=lambda key: key) -> list[Group]:
    """A published breakdown (reports.publication): its rows, shares of its total."""
    total = table.get("total") or 0
    rows = []
    for name, cell in table.get("cells", {}).items():
        if cell.get("hidden", True):
            rows.append(Group(str(label(name)), 0, True))
            continue
        count = cell["count"]
        rows.append(
            Group(str(label(name)), count, False, round(100 * count / total) if total else None)
        )
    return sorted(rows, key=lambda g: (g.hidden, -g.count if not g.hidden else 0, g.label))


@dataclass
class Breakdown:
    key: str
    label: str
    groups: list[Group]


@dataclass
class Inclusion:
    dimension: str
    label: str
    rows: list[dict]


@dataclass
class SkillRow:
    topic: str
    baseline: float | None
    end: float | None
    hidden: bool

    @property
    def growth(self) -> float | None:
        if self.baseline is None or self.end is None:
            return None
        return self.end - self.baseline


@dataclass
class Dashboard:
    organization: object
    program: Program | None
    start: date
    end: date
    threshold: int
    as_of: date | None = None
    counted: Counted | None = None
    tiles: list[Tile] = field(default_factory=list)
    enrolment_chart: charts.LineChart | None = None
    rates_chart: charts.LineChart | None = None
    trend: list[dict] = field(default_factory=list)
    cohorts: list[dict] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    inclusion: list[Inclusion] = field(default_factory=list)
    skills: dict[str, list[SkillRow]] = field(default_factory=dict)
    commitments: list[dict] = field(default_factory=list)
    network: charts.Network | None = None
    links: list[charts.Edge] = field(default_factory=list)
    network_links: int = NETWORK_LINKS
    stories: list[str] = field(default_factory=list)
    concerns: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.as_of is None

    @property
    def disclosure_rule(self) -> str:
        return disclosure_rule(self.threshold)


def disclosure_rule(least: int) -> str:
    """The rule, in the words the dashboard shows beside the KPI definitions."""
    return str(
        format_lazy(
            _(
                "A figure about fewer than {n} people is hidden. Once shown, it changes only "
                "when the group behind it, or the count behind a share (the people trained, "
                "satisfied, on track...), has changed by at least {n} since it was published; "
                "until then it shows as of the day it was published. So no comparison of two "
                "days, periods or downloads tells one person's answer or change. It cannot "
                "stop several people changing at once in opposite directions, nor someone "
                "who knows how all but one of a group answered."
            ),
            n=least,
        )
    )


# The outcomes the program is judged by lead the cohort comparison, so they are in view
# without scrolling the table sideways (issue 18).
HEADLINE_OUTCOMES = ("retention", "promotion")


def cohort_columns() -> list[Measure]:
    """The measures a cohort comparison shows, in its column order: headline outcomes first."""
    shares = [m for m in MEASURES if m.percent]
    return sorted(shares, key=lambda m: m.key not in HEADLINE_OUTCOMES)


def breakdowns(detail: dict) -> list[Breakdown]:
    def level_label(key):
        return _("Not recorded") if key == "unknown" else _("Level %(n)s") % {"n": key}

    def department_label(key):
        return _("Not recorded") if key == "unknown" else key

    return [
        Breakdown(
            "department",
            _("By department"),
            _groups(detail.get("by_department", {}), department_label),
        ),
        Breakdown("level", _("By job level"), _groups(detail.get("by_level", {}), level_label)),
        Breakdown(
            "generation",
            _("By generation"),
            _groups(detail.get("by_generation", {}), lambda key: GENERATION_LABELS.get(key, key)),
        ),
    ]


def _share(table: dict, answer: str) -> int | None:
    cell, total = table.get("cells", {}).get(answer, {}), table.get("total") or 0
    if cell.get("hidden", True) or not total:
        return None
    return round(100 * cell["count"] / total)


def inclusion_rows(detail: dict) -> list[Inclusion]:
    """Per dimension: who takes part against the workforce, among those who chose to
    answer. A group under the threshold on either side is hidden."""
    found = []
    for dimension in CATEGORY_DIMENSIONS:
        sides = detail.get("inclusion", {}).get(dimension)
        if not sides:
            continue
        part, whole = sides["part"], sides["whole"]
        rows = []
        for answer in sorted(set(part["cells"]) | set(whole["cells"])):
            share, workforce_share = _share(part, answer), _share(whole, answer)
            hidden = share is None or workforce_share is None
            rows.append(
                {
                    "label": ANSWER_LABELS.get(answer, answer),
                    "hidden": hidden,
                    "participants": None if hidden else part["cells"][answer]["count"],
                    "share": None if hidden else share,
                    "workforce_share": None if hidden else workforce_share,
                }
            )
        found.append(Inclusion(dimension, DIMENSION_LABELS[dimension], rows))
    return found


def skill_topics(detail: dict) -> set[int]:
    """The topics a publication's skills rows name, for their names to be read."""
    return {int(topic) for by_topic in detail.get("skills", {}).values() for topic in by_topic}


def skill_rows(detail: dict, names: dict[int, str]) -> dict[str, list[SkillRow]]:
    """Per role, each topic's mean ratings as published; ``names`` the topics' names."""
    skills = detail.get("skills", {})
    found = {}
    for role in (Participant.Role.MENTOR, Participant.Role.MENTEE):
        rows = []
        for topic, row in skills.get(role, {}).items():
            hidden = row.get("hidden", True)
            rows.append(
                SkillRow(
                    names.get(int(topic), _("A topic no longer in the catalogue")),
                    None if hidden else row["baseline"],
                    None if hidden else row["end"],
                    hidden,
                )
            )
        if rows:
            found[role] = sorted(rows, key=lambda row: str(row.topic))
    return found


def commitment_rows(detail: dict) -> list[dict]:
    """Counts per theme; a theme with fewer commitments than the threshold shows none
    (in a small program, "one dropped" would point at a known senior leader)."""
    labels = dict(Commitment.Theme.choices)
    by_theme = detail.get("commitments", {})
    return [{"theme": labels[theme], **by_theme[theme]} for theme in labels if theme in by_theme]


def draw_network(board: Dashboard, detail: dict) -> None:
    """The strongest links between departments, each of at least the threshold of pairs
    (as published). The small ones are neither drawn nor counted: with the share of pairs
    across departments, a count of them would give their pairs away by subtraction."""
    shown_edges = {}
    strongest = sorted(detail.get("network", {}).items(), key=lambda item: (-item[1], item[0]))
    for key, count in strongest[:NETWORK_LINKS]:
        one, _sep, other = key.partition("|")
        shown_edges[one, other] = count
    board.network = charts.network(shown_edges)
    board.links = sorted(board.network.edges, key=lambda edge: -edge.pairs)
