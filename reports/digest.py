"""The program managers' weekly digest: pairs at risk, surveys about to close, and what
the figures say (a cadence falling, satisfaction under its target, training behind).

Sent on Monday morning in each manager's own time zone, once per manager, program and
ISO week: the digest is recorded as a notification with a unique key, as the
participants' digest is, so a repeated run sends nothing twice.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from directory.zones import zones_for_members
from notifications.delivery import DIGEST_WEEKDAY, is_night
from notifications.kinds import DIGEST
from notifications.models import Notification
from organizations.disclosure import Candidate, key_of, publish
from organizations.emails import absolute_url, send_branded_email
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from programs.models import Program
from programs.selectors import program_manager_links
from reports.measures import BY_KEY, shown
from reports.models import Snapshot
from reports.privacy import threshold
from reports.snapshots import cohort_scope
from sessions.models import Reflection
from sessions.reminders import quiet_pairs
from surveys.models import Assignment, Concern

LOW_RATING = 2.5  # a pair's average rating over its recent sessions, at or below
RECENT_DAYS = 60
CLOSING_DAYS = 7
TREND_DAYS = 28
CADENCE_FALL = 10  # percentage points over TREND_DAYS
TRAINING_BEHIND = 50  # percent, once a cohort has started
RUNNING = [Program.Status.MATCHING, Program.Status.ACTIVE, Program.Status.CLOSING]


@dataclass
class ManagerDigest:
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


def manager_digest(program: Program, now: datetime, quiet=None) -> ManagerDigest:
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
    least = threshold(organization)
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
    least = threshold(organization)
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
        found.append(_("%(n)s concern(s) from mentors wait for a follow-up.") % {"n": count})
    return found


def _closest(rows: list[dict], day: date) -> dict | None:
    before = [row for row in rows if row["day"] <= day]
    return before[-1] if before else None


def manager_digests_send(organization: Organization, now: datetime) -> int:
    """Each running program's managers whose Monday morning it is get its digest, once a
    week. Returns how many went out."""
    with tenant_context(organization=organization):
        links = list(
            program_manager_links()
            .filter(organization=organization, program__status__in=RUNNING)
            .values_list("program_id", "membership_id")
        )
        if not links:
            return 0
        zones = zones_for_members(
            organization=organization,
            memberships=Membership.objects.filter(pk__in={m for _p, m in links}).select_related(
                "user"
            ),
        )
        quiet = None
        sent = 0
        for program_id, member_id in links:
            zone = zones[member_id]
            local = now.astimezone(zone)
            if local.weekday() != DIGEST_WEEKDAY or is_night(now, zone):
                continue
            year, week, _day = local.isocalendar()
            key = f"manager_digest:program:{program_id}:week:{year}-W{week:02d}"
            if quiet is None:
                quiet = quiet_pairs(organization, now)
            with translation.override(organization.locale):
                sent += _send(organization, program_id, member_id, key, now, quiet)
    return sent


def _send(organization, program_id, member_id, key, now, quiet) -> bool:
    with tenant_context(organization=organization):
        member = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member_id)
        )
        if Notification.objects.filter(recipient=member, key=key).exists():
            return False
        program = Program.objects.select_related("organization").get(pk=program_id)
        digest = manager_digest(program, now, quiet)
        heading = _("%(program)s: your week") % {"program": program.name}
        Notification.objects.create(
            organization=organization,
            recipient=member,
            kind=DIGEST,
            key=key,
            title=heading,
            body="\n".join(digest.at_risk + digest.closing + digest.observations),
            status=Notification.Status.SENT,
            send_after=now,
            sent_at=now,
        )
        url = reverse(
            "reports:program", kwargs={"org_slug": organization.slug, "program_id": program.pk}
        )
        send_branded_email(
            organization=organization,
            template="reports/email/manager_digest",
            context={
                "digest": digest,
                "heading": heading,
                "greeting_name": member.user.name or member.user.email,
                "url": absolute_url(url),
            },
            to=[member.user.email],
            key=f"notification:{organization.pk}:{member.pk}:{key}",
        )
        return True
