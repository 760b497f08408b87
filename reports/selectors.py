"""Reads of the reports: what the dashboard, its CSV export, the KPI API, the overview
and the managers' digest show, always from the snapshots' publication (never their raw
figures), and the days they report.

Executives see aggregates only, and only what the snapshots published
(reports.publication): every group smaller than the reports' threshold (five, or the
organisation's higher survey threshold; organizations.suppression) is hidden, with the
next smallest when only one would be hidden; a figure changes only when its group (or the
count behind it) has changed by the threshold since it was last published, so that no
comparison of two days, two ranges or two outputs gives one person away.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Max, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.disclosure import Candidate, key_of, publish
from organizations.models import Organization
from organizations.suppression import report_min_group
from programs.models import Cohort, Program, Topic
from reports import charts
from reports.dashboard import (
    Counted,
    Dashboard,
    Tile,
    breakdowns,
    cohort_columns,
    commitment_rows,
    draw_network,
    inclusion_rows,
    skill_rows,
    skill_topics,
)
from reports.kpis import retention_closed, retention_inputs
from reports.measures import BY_KEY, MEASURES, shown
from reports.models import (
    ORGANIZATION_SCOPE,
    FrozenRetention,
    Snapshot,
    cohort_scope,
    program_scope,
)
from sessions.models import Reflection
from sessions.reminders import quiet_pairs
from surveys.models import Assignment, Concern
from surveys.stories import featured_stories, story_text

FUNNEL = ("invited", "applied", "approved", "active")
STORIES_SHOWN = 6
# The managers' digest.
LOW_RATING = 2.5  # a pair's average rating over its recent sessions, at or below
RECENT_DAYS = 60
CLOSING_DAYS = 7
TREND_DAYS = 28
CADENCE_FALL = 10  # percentage points over TREND_DAYS
TRAINING_BEHIND = 50  # percent, once a cohort has started


# --- The days reported ----------------------------------------------------------------------


def today(organization: Organization) -> date:
    return timezone.localdate(timezone=organization.zone)


def counted(organization: Organization, day: date, at: datetime) -> Counted:
    """When a snapshot of ``day`` computed ``at`` counted its figures (reports.dashboard)."""
    return Counted(day=day, at=at, today=day >= today(organization))


def last_complete_day(organization: Organization) -> date:
    """Yesterday in the organisation's time zone: the day the nightly job reports."""
    return today(organization) - timedelta(days=1)


# --- Closed retention windows ----------------------------------------------------------------


def frozen_retention_get(*, organization: Organization, day: date) -> tuple[dict, dict]:
    """The cohorts whose retention window had closed by ``day``: (their kept figures that
    still stand, {cohort id: figures}; what each would be counted from now, {cohort id:
    inputs}, reports.kpis.retention_inputs). A kept figure stands while its inputs are
    unchanged (reports.models.FrozenRetention)."""
    closed = [
        cohort
        for cohort, start in Cohort.objects.filter(
            organization=organization, start_date__lte=day
        ).values_list("pk", "start_date")
        if retention_closed(start, day)
    ]
    if not closed:
        return {}, {}
    inputs = retention_inputs(organization, closed)
    kept = FrozenRetention.objects.filter(organization=organization, cohort__in=closed)
    return {
        cohort: figures
        for cohort, figures, was in kept.values_list("cohort_id", "figures", "inputs")
        if was == inputs[cohort]
    }, inputs


# --- The dashboard, its export and the API ----------------------------------------------------


def kpi_trend_list(*, organization, scope: str, start: date, end: date) -> list[dict]:
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


def dashboard_get(*, organization, program: Program | None, start: date, end: date) -> Dashboard:
    """The dashboard of the organisation (``program`` None) or of one program, as of the
    latest snapshot by ``end``, with its trend from ``start``."""
    board, latest = dashboard_head(organization=organization, program=program, start=start, end=end)
    if latest is not None:
        dashboard_sections_fill(board, latest)
    board.stories = dashboard_stories(organization=organization, program=program)
    return board


def dashboard_head(*, organization, program: Program | None, start: date, end: date):
    """The dashboard as of the latest snapshot by ``end``, its sections still empty
    (``dashboard_sections_fill``), and that snapshot's row (None without one), with
    ``generation``: when the organisation's snapshots were last written (a new night, a
    day counted again, inclusion counts forgotten), for caching what they show."""
    scope = ORGANIZATION_SCOPE if program is None else program_scope(program.pk)
    board = Dashboard(organization, program, start, end, report_min_group(organization))
    written = Snapshot.objects.filter(organization=organization).order_by("-computed_at")
    latest = (
        Snapshot.objects.filter(organization=organization, scope=scope, day__lte=end)
        .order_by("-day")
        .annotate(generation=Subquery(written.values("computed_at")[:1]))
        .values("pk", "day", "computed_at", "generation")
        .first()
    )
    if latest is not None:
        board.as_of = latest["day"]
        board.counted = counted(organization, latest["day"], latest["computed_at"])
    return board, latest


def dashboard_sections_fill(board: Dashboard, latest: dict) -> None:
    """What the dashboard shows of its snapshots: tiles, charts, the cohorts compared,
    breakdowns, skills, commitments, network and concerns. They change only when the
    snapshots are written (reports.cache keeps them rendered until then)."""
    organization, program, least = board.organization, board.program, board.threshold
    scope = ORGANIZATION_SCOPE if program is None else program_scope(program.pk)
    snapshot = Snapshot.objects.values("published", "published_detail").get(
        organization=organization, pk=latest["pk"]
    )
    detail = snapshot["published_detail"]
    trend = kpi_trend_list(organization=organization, scope=scope, start=board.start, end=board.end)
    board.trend = trend
    targets = _targets(organization, program)
    for measure in MEASURES:
        points = [shown(measure, row, least).value for row in trend]
        board.tiles.append(
            Tile(
                measure,
                shown(measure, snapshot["published"], least),
                targets.get(measure.target) if measure.target else None,
                charts.sparkline(points),
            )
        )
    days = [row["day"] for row in trend]
    board.enrolment_chart = charts.line_chart(
        days,
        [
            (_("Invited"), [row["invited"] for row in trend]),
            (_("Applied"), [row["applied"] for row in trend]),
            (_("Approved"), [row["approved"] for row in trend]),
            (_("In an active pair"), [row["active"] for row in trend]),
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
    board.breakdowns = breakdowns(detail)
    board.inclusion = inclusion_rows(detail)
    names = dict(
        Topic.objects.filter(organization=organization, pk__in=skill_topics(detail)).values_list(
            "pk", "name"
        )
    )
    board.skills = skill_rows(detail, names)
    board.commitments = commitment_rows(detail)
    draw_network(board, detail)
    concerns = detail.get("concerns", {})
    board.concerns = {
        "raised": concerns.get("raised"),
        "resolved": concerns.get("resolved"),
        "hidden": concerns.get("hidden", True),
        # The day the shown count was published: the snapshot's, or earlier while fewer
        # than the threshold changed since (reports.publication).
        "on": date.fromisoformat(concerns["on"]) if concerns.get("on") else board.as_of,
    }


def dashboard_stories(*, organization, program: Program | None) -> list[str]:
    """The success stories a program manager chose (any day, not only at night)."""
    stories = featured_stories(organization, program=program)[:STORIES_SHOWN]
    return [text for text in map(story_text, stories) if text]


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
            "measures": [shown(m, row["published"], least) for m in cohort_columns()],
        }
        for row in rows
    ]


# --- The managers' digest ---------------------------------------------------------------------


@dataclass
class ManagerDigest:
    """A program manager's week: pairs at risk, surveys about to close, and what the
    figures say (a cadence falling, satisfaction under its target, training behind)."""

    program: Program
    at_risk: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.at_risk or self.closing or self.observations)


def _pair_name(pair) -> str:
    return _("%(mentor)s and %(mentee)s") % {
        "mentor": pair.mentor.employee.name,
        "mentee": pair.mentee.employee.name,
    }


def manager_digest_get(*, program: Program, now: datetime, quiet=None) -> ManagerDigest:
    """What a program's managers read this week. How many answered a closing survey is
    read as published (organizations.disclosure.publish, which records a first
    publication in the ledger): hidden under the threshold, moving only by it."""
    digest = ManagerDigest(program)
    organization = program.organization
    quiet = quiet_pairs(organization, now) if quiet is None else quiet
    for q in quiet:
        if q.pair.program_id == program.pk:
            digest.at_risk.append(
                _("%(pair)s: gone quiet, nothing held since %(day)s")
                % {"pair": _pair_name(q.pair), "day": q.since.date().isoformat()}
            )
    low = (
        Reflection.objects.filter(
            session__pair__program=program,
            session__pair__status="active",
            session__starts_at__gte=now - timedelta(days=RECENT_DAYS),
            rating__isnull=False,
        )
        .values(
            "session__pair_id",
            "session__pair__mentor__employee__name",
            "session__pair__mentee__employee__name",
        )
        .annotate(average=Avg("rating"), ratings=Count("id"))
        .filter(average__lte=LOW_RATING)
        .order_by("average")
    )
    for row in low:
        digest.at_risk.append(
            _("%(mentor)s and %(mentee)s: low ratings, %(average).1f of 5 over %(n)s")
            % {
                "mentor": row["session__pair__mentor__employee__name"],
                "mentee": row["session__pair__mentee__employee__name"],
                "average": row["average"],
                "n": row["ratings"],
            }
        )
    closing = list(
        Assignment.objects.filter(
            schedule__survey__program=program,
            closes_at__gte=now,
            closes_at__lt=now + timedelta(days=CLOSING_DAYS),
        )
        .values(
            "schedule__survey_id",
            "schedule__survey__title",
            "schedule__cohort_id",
            "schedule__cohort__name",
        )
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(answered=True)))
        .order_by("schedule__survey__title", "schedule__cohort_id")
    )
    least = report_min_group(organization)
    answered = _answered_published(organization, closing, least, now)
    for row in closing:
        values = {
            "survey": row["schedule__survey__title"],
            "cohort": row["schedule__cohort__name"],
            "asked": row["asked"],
            "least": least,
        }
        published = answered[row["schedule__survey_id"], row["schedule__cohort_id"]]
        if published is None:
            # How many answered, one by one, would tell who answered an anonymous survey;
            # "none" would tell as much about a small cohort. Hidden is hidden.
            line = _("%(survey)s (%(cohort)s): %(asked)s asked, fewer than %(least)s answered")
        else:
            values["answered"] = published.figures["answered"]
            line = _("%(survey)s (%(cohort)s): %(answered)s of %(asked)s answered")
        digest.closing.append(line % values + _(", closes this week"))
    digest.observations = _observations(program, now)
    return digest


def _answered_published(organization, rows: list[dict], least: int, now: datetime) -> dict:
    """How many answered each survey in each cohort, as published: hidden under the
    threshold, and a count that moves only by the threshold (organizations.disclosure),
    so that two weeks' digests never differ by one person's answering."""
    found = {}
    on = now.astimezone(organization.zone).date()
    by_survey = {}
    for row in rows:
        by_survey.setdefault(row["schedule__survey_id"], []).append(row)
    for survey_id, survey_rows in by_survey.items():
        keys = {row["schedule__cohort_id"]: key_of("answered", row["schedule__cohort_id"])
                for row in survey_rows}  # fmt: skip
        shown_now = publish(
            organization,
            f"survey:{survey_id}",
            {
                keys[row["schedule__cohort_id"]]: Candidate(
                    row["answered"], {"answered": row["answered"]}
                )
                for row in survey_rows
            },
            threshold=least,
            on=on,
        )
        for cohort_id, key in keys.items():
            found[survey_id, cohort_id] = shown_now[key]
    return found


def _observations(program: Program, now: datetime) -> list[str]:
    """What the snapshots say, cohort by cohort: today's figures against four weeks ago."""
    organization = program.organization
    least = report_min_group(organization)
    today = now.astimezone(organization.zone).date()
    found = []
    for cohort in program.cohorts.filter(start_date__lte=today).order_by("start_date"):
        rows = list(
            Snapshot.objects.filter(
                organization=organization,
                scope=cohort_scope(cohort.pk),
                day__lte=today,
                day__gte=today - timedelta(days=TREND_DAYS + 7),
            )
            .order_by("day")
            .values("day", "published")
        )
        if not rows:
            continue
        latest, earlier = rows[-1], _closest(rows, today - timedelta(days=TREND_DAYS))
        month = (latest["day"] - cohort.start_date).days // 30 + 1
        # The figures as published (reports.measures.shown), as the dashboard shows them:
        # a fall of one pair would otherwise tell its manager which pair went off track.
        cadence_now = shown(BY_KEY["cadence"], latest["published"], least).value
        cadence_then = (
            shown(BY_KEY["cadence"], earlier["published"], least).value if earlier else None
        )
        if (
            cadence_now is not None
            and cadence_then is not None
            and cadence_then - cadence_now >= CADENCE_FALL
        ):
            found.append(
                _(
                    "%(cohort)s: cadence kept fell from %(then)s%% to %(now)s%% in four "
                    "weeks, in the cohort's month %(month)s."
                )
                % {
                    "cohort": cohort.name,
                    "then": round(cadence_then),
                    "now": round(cadence_now),
                    "month": month,
                }
            )
        satisfaction = shown(BY_KEY["satisfaction"], latest["published"], least).value
        if satisfaction is not None and satisfaction < program.satisfaction_target:
            found.append(
                _("%(cohort)s: satisfaction is %(value)s%%, under the %(target)s%% target.")
                % {
                    "cohort": cohort.name,
                    "value": round(satisfaction),
                    "target": program.satisfaction_target,
                }
            )
        training = shown(BY_KEY["training"], latest["published"], least).value
        if training is not None and training < TRAINING_BEHIND:
            found.append(
                _("%(cohort)s: only %(value)s%% of the participants have finished training.")
                % {"cohort": cohort.name, "value": round(training)}
            )
    waiting = Concern.objects.filter(program=program).exclude(status=Concern.Status.RESOLVED)
    if count := waiting.count():
        found.append(
            ngettext(
                "%(n)s concern from mentors waits for a follow-up.",
                "%(n)s concerns from mentors wait for a follow-up.",
                count,
            )
            % {"n": count}
        )
    return found


def _closest(rows: list[dict], day: date) -> dict | None:
    before = [row for row in rows if row["day"] <= day]
    return before[-1] if before else None
