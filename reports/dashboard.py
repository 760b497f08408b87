"""The executive dashboard, read from the snapshots: a fixed handful of queries whatever
the size of the organisation (the nightly job did the counting).

Executives see aggregates only: every breakdown hides groups smaller than the reports'
threshold (five, or the organisation's higher survey threshold), and also the next
smallest group when only one would be hidden, so that no hidden figure can be worked out
by subtraction from a total.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from organizations.models import EmployeeDemographics
from programs.models import Program, Topic
from reports import charts
from reports.kpis import CATEGORY_DIMENSIONS
from reports.measures import MEASURES, TREND_FIGURES, Measure, Shown, shown
from reports.models import Snapshot
from reports.privacy import hide_small, threshold
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


def _groups(counts: dict[str, int], least: int, label=lambda key: key) -> list[Group]:
    hidden = hide_small(counts, least)
    total = sum(counts.values())
    rows = [
        Group(
            str(label(name)),
            count,
            hidden[name],
            None if hidden[name] or not total else round(100 * count / total),
        )
        for name, count in counts.items()
    ]
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


def _flat(headline: dict) -> dict:
    return {name: headline.get(name) for name in TREND_FIGURES}


def trend_rows(organization, scope: str, start: date, end: date) -> list[dict]:
    """The scope's snapshots in the range, as {"day": ..., figure: value}: their
    headline figures only, a few hundred bytes a day (the full snapshot stays put)."""
    rows = (
        Snapshot.objects.filter(organization=organization, scope=scope, day__range=(start, end))
        .order_by("day")
        .values("day", "headline")
    )
    return [{"day": row["day"], **_flat(row["headline"])} for row in rows]


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
        .values("day", "figures")
        .first()
    )
    if latest is None:
        return board
    board.as_of, figures = latest["day"], latest["figures"]
    trend = trend_rows(organization, scope, start, end)
    board.trend = trend
    targets = _targets(organization, program)
    for measure in MEASURES:
        points = [shown(measure, row, least).value for row in trend]
        board.tiles.append(
            Tile(
                measure,
                shown(measure, figures, least),
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
    board.breakdowns = _breakdowns(figures, least)
    board.inclusion = _inclusion(figures, least)
    board.skills = _skills(organization, figures, least)
    board.commitments = _commitments(figures, least)
    _network(board, figures, least)
    stories = featured_stories(organization, program=program)[:STORIES_SHOWN]
    board.stories = [text for text in map(story_text, stories) if text]
    raised = figures.get("concerns_raised", 0)
    board.concerns = {
        "raised": raised,
        "resolved": figures.get("concerns_resolved", 0),
        "hidden": 0 < raised < least,
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
    )
    return [
        {
            "name": row["cohort__name"],
            "program": row["program__name"],
            "start": row["cohort__start_date"],
            "end": row["cohort__end_date"],
            "pairs": row["headline"].get("pairs_active") or 0,
            "measures": [shown(m, _flat(row["headline"]), least) for m in MEASURES if m.percent],
        }
        for row in rows
    ]


def cohort_columns() -> list[Measure]:
    return [m for m in MEASURES if m.percent]


def _people(counts: dict) -> dict[str, int]:
    return {group: sum(roles.values()) for group, roles in counts.items()}


def _breakdowns(figures: dict, least: int) -> list[Breakdown]:
    def level_label(key):
        return _("Not recorded") if key == "unknown" else _("Level %(n)s") % {"n": key}

    def department_label(key):
        return _("Not recorded") if key == "unknown" else key

    return [
        Breakdown(
            "department",
            _("By department"),
            _groups(_people(figures.get("by_department", {})), least, department_label),
        ),
        Breakdown(
            "level",
            _("By job level"),
            _groups(_people(figures.get("by_level", {})), least, level_label),
        ),
        Breakdown(
            "generation",
            _("By generation"),
            _groups(
                _people(figures.get("by_generation", {})),
                least,
                lambda key: GENERATION_LABELS.get(key, key),
            ),
        ),
    ]


def _inclusion(figures: dict, least: int) -> list[Inclusion]:
    """Per dimension: who takes part against the workforce, among those who chose to
    answer. A group under the threshold on either side is hidden."""
    found = []
    taking_part = figures.get("inclusion", {})
    workforce = figures.get("workforce_inclusion", {})
    for dimension in CATEGORY_DIMENSIONS:
        part, whole = taking_part.get(dimension, {}), workforce.get(dimension, {})
        answers = sorted(set(part) | set(whole))
        if not answers:
            continue
        hidden_part = hide_small({a: part.get(a, 0) for a in answers}, least)
        hidden_whole = hide_small({a: whole.get(a, 0) for a in answers}, least)
        part_total, whole_total = sum(part.values()), sum(whole.values())
        rows = []
        for answer in answers:
            hidden = hidden_part[answer] or hidden_whole[answer]
            rows.append(
                {
                    "label": ANSWER_LABELS.get(answer, answer),
                    "hidden": hidden,
                    "participants": None if hidden else part.get(answer, 0),
                    "share": None
                    if hidden or not part_total
                    else round(100 * part.get(answer, 0) / part_total),
                    "workforce_share": None
                    if hidden or not whole_total
                    else round(100 * whole.get(answer, 0) / whole_total),
                }
            )
        found.append(Inclusion(dimension, DIMENSION_LABELS[dimension], rows))
    return found


def _skills(organization, figures: dict, least: int) -> dict[str, list[SkillRow]]:
    skills = figures.get("skills", {})
    ids = {int(topic) for by_topic in skills.values() for topic in by_topic}
    names = dict(
        Topic.objects.filter(organization=organization, pk__in=ids).values_list("pk", "name")
    )
    found = {}
    for role in ("mentor", "mentee"):
        rows = []
        for topic, sums in skills.get(role, {}).items():
            base_n, end_n = sums.get("baseline_n", 0), sums.get("end_n", 0)
            hidden = 0 < base_n < least or 0 < end_n < least
            rows.append(
                SkillRow(
                    names.get(int(topic), _("A topic no longer in the catalogue")),
                    None if hidden or not base_n else sums["baseline_sum"] / base_n,
                    None if hidden or not end_n else sums["end_sum"] / end_n,
                    hidden,
                )
            )
        if rows:
            found[role] = sorted(rows, key=lambda row: str(row.topic))
    return found


def _commitments(figures: dict, least: int) -> list[dict]:
    """Counts per theme; a theme with fewer commitments than the threshold shows none
    (in a small program, "one dropped" would point at a known senior leader)."""
    labels = dict(Commitment.Theme.choices)
    by_theme = figures.get("commitments", {})
    made = {theme: counts.get("made", 0) for theme, counts in by_theme.items()}
    hidden = hide_small(made, least)
    return [
        {"theme": labels[theme], "hidden": hidden[theme], **by_theme[theme]}
        for theme in labels
        if theme in by_theme
    ]


def _network(board: Dashboard, figures: dict, least: int) -> None:
    """The strongest links between departments, each of at least ``least`` pairs. The
    small ones are neither drawn nor counted: with the share of pairs across
    departments, a count of them would give their pairs away by subtraction."""
    shown_edges = {}
    strongest = sorted(figures.get("network", {}).items(), key=lambda item: (-item[1], item[0]))
    for key, count in strongest[:NETWORK_LINKS]:
        one, _sep, other = key.partition("|")
        if count >= least:
            shown_edges[one, other] = count
    board.network = charts.network(shown_edges)
    board.links = sorted(board.network.edges, key=lambda edge: -edge.pairs)
