"""The executive dashboard, read from the snapshots: a fixed handful of queries whatever
the size of the organisation (the nightly job did the counting).

Executives see aggregates only, and only what the snapshots published
(reports.publication), never their raw figures: every group smaller than the reports'
threshold (five, or the organisation's higher survey threshold) is hidden, with the next
smallest when only one would be hidden; a figure changes only when its group (or the
count behind it) has changed by the threshold since it was last published, so that no
comparison of two days, two ranges or two outputs gives one person away.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from directory.models import EmployeeDemographics
from programs.models import Participant, Program, Topic
from reports import charts
from reports.kpis import CATEGORY_DIMENSIONS
from reports.measures import MEASURES, Measure, Shown, shown
from reports.models import Snapshot
from reports.privacy import threshold
from reports.snapshots import ORGANIZATION_SCOPE, program_scope
from sessions.models import Commitment
from surveys.stories import featured_stories, story_text

STORIES_SHOWN = 6
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


FUNNEL = ("invited", "applied", "approved", "active")


def trend_rows(organization, scope: str, start: date, end: date) -> list[dict]:
    """The scope's snapshots in the range, as {"day": ..., the enrolment funnel's counts,
    measure key: its publication that day} (read with reports.measures.shown): a few
    hundred bytes a day, and never a raw figure behind a measure."""
    rows = (
        Snapshot.objects.filter(organization=organization, scope=scope, day__range=(start, end))
        .order_by("day")
        .values("day", "headline", "published")
    )
    return [
        {
            "day": row["day"],
            **{name: row["headline"].get(name) for name in FUNNEL},
            **row["published"],
        }
        for row in rows
    ]


def _targets(organization, program: Program | None) -> dict[str, int]:
    """A program's own targets; for the organisation, the strictest of its programs'."""
    if program is not None:
        return {
            "cadence_target": program.cadence_target,
            "satisfaction_target": program.satisfaction_target,
        }
    found = Program.objects.filter(organization=organization).aggregate(
        cadence_target=Max("cadence_target"), satisfaction_target=Max("satisfaction_target")
    )
    return {key: value for key, value in found.items() if value is not None}


def dashboard(organization, *, program: Program | None, start: date, end: date) -> Dashboard:
    scope = ORGANIZATION_SCOPE if program is None else program_scope(program.pk)
    least = threshold(organization)
    board = Dashboard(organization, program, start, end, least)
    latest = (
        Snapshot.objects.filter(organization=organization, scope=scope, day__lte=end)
        .order_by("-day")
        .values("day", "published", "published_detail")
        .first()
    )
    if latest is None:
        return board
    board.as_of, detail = latest["day"], latest["published_detail"]
    trend = trend_rows(organization, scope, start, end)
    board.trend = trend
    targets = _targets(organization, program)
    for measure in MEASURES:
        points = [shown(measure, row, least).value for row in trend]
        board.tiles.append(
            Tile(
                measure,
                shown(measure, latest["published"], least),
                targets.get(measure.target) if measure.target else None,
                charts.sparkline(points),
            )
        )
    days = [row["day"] for row in trend]
    board.enrolment_chart = charts.line_chart(
        days,
        [
            (str(_("Invited")), [row["invited"] for row in trend]),
            (str(_("Applied")), [row["applied"] for row in trend]),
            (str(_("Approved")), [row["approved"] for row in trend]),
            (str(_("In an active pair")), [row["active"] for row in trend]),
        ],
    )
    board.rates_chart = charts.line_chart(
        days,
        [
            (str(m.label), [shown(m, row, least).value for row in trend])
            for m in MEASURES
            if m.key in ("cadence", "sessions", "satisfaction", "training")
        ],
        percent=True,
    )
    board.cohorts = _cohorts(organization, program, board.as_of, least)
    board.breakdowns = _breakdowns(detail)
    board.inclusion = _inclusion(detail)
    board.skills = _skills(organization, detail)
    board.commitments = _commitments(detail)
    _network(board, detail)
    stories = featured_stories(organization, program=program)[:STORIES_SHOWN]
    board.stories = [text for text in map(story_text, stories) if text]
    concerns = detail.get("concerns", {})
    board.concerns = {
        "raised": concerns.get("raised"),
        "resolved": concerns.get("resolved"),
        "hidden": concerns.get("hidden", True),
    }
    return board


def _cohorts(organization, program, day: date, least: int) -> list[dict]:
    snapshots = Snapshot.objects.filter(
        organization=organization, day=day, cohort__isnull=False
    ).order_by("cohort__start_date", "cohort__name")  # the (organisation, day) index
    if program is not None:
        snapshots = snapshots.filter(program=program)
    rows = snapshots.values(
        "cohort__name",
        "cohort__start_date",
        "cohort__end_date",
        "program__name",
        "headline",
        "published",
    )
    return [
        {
            "name": row["cohort__name"],
            "program": row["program__name"],
            "start": row["cohort__start_date"],
            "end": row["cohort__end_date"],
            "pairs": row["headline"].get("pairs_active") or 0,
            "measures": [shown(m, row["published"], least) for m in MEASURES if m.percent],
        }
        for row in rows
    ]


def cohort_columns() -> list[Measure]:
    return [m for m in MEASURES if m.percent]


def _breakdowns(detail: dict) -> list[Breakdown]:
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


def _inclusion(detail: dict) -> list[Inclusion]:
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


def _skills(organization, detail: dict) -> dict[str, list[SkillRow]]:
    skills = detail.get("skills", {})
    ids = {int(topic) for by_topic in skills.values() for topic in by_topic}
    names = dict(
        Topic.objects.filter(organization=organization, pk__in=ids).values_list("pk", "name")
    )
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


def _commitments(detail: dict) -> list[dict]:
    """Counts per theme; a theme with fewer commitments than the threshold shows none
    (in a small program, "one dropped" would point at a known senior leader)."""
    labels = dict(Commitment.Theme.choices)
    by_theme = detail.get("commitments", {})
    return [{"theme": labels[theme], **by_theme[theme]} for theme in labels if theme in by_theme]


def _network(board: Dashboard, detail: dict) -> None:
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
