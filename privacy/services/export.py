"""A person's export: everything Upturn holds about them in one organisation, as a zip of
JSON and CSV files, built by a task and linked for a day.

The build runs *on behalf of the person* (``tenant_context(user=...)``), as their own pages
do: PostgreSQL's row-level policies then show their private notes and their pair's
messages, and nothing else that is confidential. It does not bypass them.

Anonymous survey answers are never in it: nothing links them to anybody (DESIGN.md), so
nothing could find them. Attributed answers are.
"""

import csv
import io
import json
import zipfile
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Employee, EmployeeDemographics
from matching.models import Pair, RematchRequest
from matching.notices import notices_send
from notifications.kinds import Candidate
from notifications.models import Notification
from notifications.outbox import outbox_add
from organizations.audit import audit_record
from organizations.models import AuditAction, AuditEntry, Membership, Organization
from organizations.tenancy import tenant_context
from privacy.models import DataExport
from programs.models import Participant, ProgramQuestion, TrainingCompletion
from sessions.models import (
    CircleAttendance,
    Commitment,
    Conversation,
    Goal,
    MentoringSession,
    Message,
    Note,
    Reflection,
)
from surveys.models import Answer, Concern, Response

LINK_VALID = timedelta(days=1)
BUILD_OUTBOX_KIND = "privacy.export_build"


class ExportNotice(models.TextChoices):
    READY = "data_export_ready", gettext_lazy("Your personal data export is ready")


# --- Asking -----------------------------------------------------------------------------


@transaction.atomic
def export_request(
    *, organization: Organization, membership: Membership, ip_address: str | None = None
) -> DataExport:
    """The click: the request row and the build's outbox message in one transaction, so
    a broker outage delays the export and never loses it. Asking again while one is
    being prepared returns that one."""
    pending = DataExport.objects.filter(
        membership=membership, status=DataExport.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(
        organization=organization, membership=membership, user=membership.user
    )
    audit_record(
        organization=organization,
        actor=membership.user,
        action=AuditAction.DATA_EXPORT_REQUESTED,
        target=membership.user,
        ip_address=ip_address,
    )
    outbox_add(
        organization=organization,
        kind=BUILD_OUTBOX_KIND,
        key=f"privacy-export:{export.pk}",
        args={"export_id": export.pk},
    )
    return export


def export_build_job(*, organization: Organization, export_id: int) -> None:
    """The outbox's handler (run by a worker)."""
    export_build(organization=organization, export_id=export_id)


# --- Building ---------------------------------------------------------------------------


def export_build(*, organization: Organization, export_id: int) -> DataExport:
    """Build the archive and tell the person. Idempotent: an export already built (or
    expired) is left as it is, so a redelivered message builds nothing twice."""
    export = DataExport.objects.select_related("membership", "user").get(pk=export_id)
    if not export.is_pending:
        return export
    # On the person's behalf, so that the row-level policies show them what is theirs.
    with tenant_context(organization=organization, user=export.user):
        sections = collect(organization=organization, membership=export.membership)
        content = archive(sections)
        now = timezone.now()
        export.file.save(f"export-{export.pk}.zip", ContentFile(content), save=False)
        export.size = len(content)
        export.status = DataExport.Status.READY
        export.ready_at = now
        export.expires_at = now + LINK_VALID
        export.save(update_fields=["file", "size", "status", "ready_at", "expires_at"])
        path = reverse("privacy:my_data", kwargs={"org_slug": organization.slug})
        with translation.override(organization.locale):
            notice = Candidate(
                recipient=export.membership,
                kind=ExportNotice.READY,
                key=f"{ExportNotice.READY}:{export.pk}",
                title=_("Your personal data export is ready"),
                body=_(
                    "Everything Upturn holds about you in %(organization)s is ready to "
                    "download, for one day. After that the file is deleted; you can ask "
                    "for a new one at any time."
                )
                % {"organization": organization.name},
                url=path,
            )
        notices_send(organization=organization, candidates=[notice])
    return export


def exports_expire(*, organization: Organization, now=None) -> int:
    """Delete the files of exports past their day (the link then answers 410). The
    number of files deleted."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(
        status=DataExport.Status.READY, expires_at__lte=now
    ).order_by("pk"):
        if export.file:
            export.file.delete(save=False)
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["file", "status"])
        expired += 1
    return expired


# --- What is in it ----------------------------------------------------------------------


def collect(*, organization: Organization, membership: Membership) -> dict[str, list[dict]]:
    """Every section of the archive: a list of flat records each. Runs on the person's
    behalf (the caller's tenant_context)."""
    user = membership.user
    employee = Employee.objects.filter(member=membership).select_related("department").first()
    participants = list(
        Participant.objects.filter(employee=employee).select_related("program", "cohort")
        if employee
        else []
    )
    mine = [p.pk for p in participants]
    pairs = list(
        Pair.objects.filter(Q(mentor__in=mine) | Q(mentee__in=mine))
        .exclude(status=Pair.Status.PROPOSED)
        .exclude(status=Pair.Status.DROPPED)
        .select_related("program", "mentor__employee", "mentee__employee")
    )
    pair_ids = [pair.pk for pair in pairs]
    questions = dict(
        ProgramQuestion.objects.filter(
            program__in={p.program_id for p in participants}
        ).values_list("pk", "text")
    )
    return {
        "profile": _profile(user, membership, employee),
        "applications": [_application(p, questions) for p in participants],
        "pairs": [_pair(pair, mine) for pair in pairs],
        "sessions": _sessions(pair_ids),
        "reflections": _rows(
            Reflection.objects.filter(participant__in=mine).order_by("pk"),
            session="session_id",
            rating="rating",
            learned="learned",
            taught="taught",
            updated_at="updated_at",
        ),
        "notes": _rows(
            # Their own notes only, private and shared: the partner's shared notes are the
            # partner's writing.
            Note.objects.filter(author_user=user).order_by("pk"),
            session="session_id",
            visibility="visibility",
            text="text",
            created_at="created_at",
        ),
        "goals": _rows(
            Goal.objects.filter(pair__in=pair_ids)
            .filter(Q(owner__in=mine) | Q(owner__isnull=True))
            .order_by("pk"),
            pair="pair_id",
            title="title",
            whose="owner_id",
            due_date="due_date",
            status="status",
            created_at="created_at",
            done_at="done_at",
        ),
        "commitments": _rows(
            Commitment.objects.filter(participant__in=mine).order_by("pk"),
            pair="pair_id",
            text="text",
            theme="theme",
            status="status",
            created_at="created_at",
        ),
        "messages": _messages(pair_ids, mine),
        "survey_answers": _answers(mine),
        "concerns": _rows(
            Concern.objects.filter(author__in=mine).order_by("pk"),
            program="program__name",
            text="text",
            status="status",
            week="week",
        ),
        "training": _rows(
            TrainingCompletion.objects.filter(participant__in=mine).order_by("pk"),
            module="module__title",
            completed_at="completed_at",
        ),
        "support_circles": _rows(
            CircleAttendance.objects.filter(participant__in=mine).order_by("pk"),
            circle="circle__title",
            starts_at="circle__starts_at",
            attended="attended",
        ),
        "rematch_requests": _rows(
            RematchRequest.objects.filter(participant__in=mine).order_by("pk"),
            program="program__name",
            created_at="created_at",
            resolved_at="resolved_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(recipient=membership).order_by("pk"),
            kind="kind",
            title="title",
            body="body",
            status="status",
            created_at="created_at",
            read_at="read_at",
        ),
        "audit_log": _audit(organization, user, membership),
    }


def _rows(queryset, **columns) -> list[dict]:
    """``column=lookup`` records of a queryset, in one query."""
    return [
        dict(zip(columns, values, strict=True))
        for values in queryset.values_list(*columns.values())
    ]


def _profile(user, membership: Membership, employee: Employee | None) -> list[dict]:
    record = {
        "email": user.email,
        "name": user.name,
        "account_created": user.date_joined,
        "roles": ", ".join(membership.role_labels),
        "member_since": membership.created_at,
    }
    if employee is not None:
        record.update(
            {
                "employee_number": employee.employee_number,
                "directory_name": employee.name,
                "directory_email": employee.email,
                "department": str(employee.department or ""),
                "job_title": employee.job_title,
                "job_level": employee.job_level,
                "hire_date": employee.hire_date,
                "location": employee.location,
                "time_zone": employee.time_zone,
                "birth_year": employee.birth_year,
            }
        )
        demographics = EmployeeDemographics.objects.filter(employee=employee).first()
        if demographics is not None:
            record.update(
                {
                    "demographics_consent_given_at": demographics.consent_given_at,
                    "gender": demographics.gender,
                    "gender_self_described": demographics.gender_self_described,
                    "ethnicity": demographics.ethnicity,
                    "disability": demographics.disability,
                    "lgbtq": demographics.lgbtq,
                    "first_generation": demographics.first_generation,
                }
            )
    return [record]


def _application(participant: Participant, questions: dict[int, str]) -> dict:
    return {
        "id": participant.pk,
        "program": participant.program.name,
        "cohort": participant.cohort.name,
        "role": participant.role,
        "status": participant.status,
        "invited_at": participant.invited_at,
        "applied_at": participant.applied_at,
        "decided_at": participant.decided_at,
        "decision_message": participant.decision_message,
        "goals": participant.goals,
        "expectations": participant.expectations,
        "availability": participant.availability,
        "time_zone": participant.time_zone,
        "languages": participant.languages,
        "capacity": participant.capacity,
        "answers": {
            questions.get(int(key), key) if str(key).isdigit() else key: value
            for key, value in (participant.answers or {}).items()
        },
        "ground_rules_accepted_at": participant.ground_rules_accepted_at,
    }


def _pair(pair: Pair, mine: list[int]) -> dict:
    partner = pair.mentee if pair.mentor_id in mine else pair.mentor
    return {
        "id": pair.pk,
        "program": pair.program.name,
        "my_role": "mentor" if pair.mentor_id in mine else "mentee",
        "partner": partner.employee.name,
        "status": pair.status,
        "published_at": pair.published_at,
        "ended_at": pair.ended_at,
    }


def _sessions(pair_ids: list[int]) -> list[dict]:
    return _rows(
        MentoringSession.objects.filter(pair__in=pair_ids).order_by("starts_at", "pk"),
        id="pk",
        pair="pair_id",
        starts_at="starts_at",
        minutes="duration_minutes",
        status="status",
        place="location",
        video_link="video_link",
        agenda="agenda",
        held_minutes="held_minutes",
    )


def _messages(pair_ids: list[int], mine: list[int]) -> list[dict]:
    """The messages of their pairs' threads, written or received: PostgreSQL shows them
    only because this runs on the person's behalf."""
    conversations = dict(
        Conversation.objects.filter(pair__in=pair_ids).values_list("pk", "pair_id")
    )
    return [
        {
            "pair": conversations[conversation_id],
            "from": "me" if sender_id in mine else sender_name,
            "text": text,
            "sent_at": sent_at,
        }
        for conversation_id, sender_id, sender_name, text, sent_at in Message.objects.filter(
            conversation__in=list(conversations)
        )
        .order_by("created_at", "pk")
        .values_list("conversation_id", "sender_id", "sender__employee__name", "text", "created_at")
    ]


def _answers(mine: list[int]) -> list[dict]:
    """Attributed answers only: an anonymous response has no participant at all."""
    return [
        {
            "survey": survey,
            "week": week,
            "question": question,
            "answer": value,
        }
        for survey, week, question, value in Answer.objects.filter(
            response__in=Response.objects.filter(participant__in=mine)
        )
        .order_by("response__week", "question__position", "pk")
        .values_list(
            "response__schedule__survey__title", "response__week", "question__text", "value"
        )
    ]


def _audit(organization: Organization, user, membership: Membership) -> list[dict]:
    about_them = (
        Q(actor=user)
        | Q(target_type="user", target_id=str(user.pk))
        | Q(target_type="membership", target_id=str(membership.pk))
    )
    return _rows(
        AuditEntry.objects.filter(organization=organization).filter(about_them).order_by("pk"),
        when="created_at",
        action="action",
        by="actor_email",
        about="target_label",
        details="details",
        from_address="ip_address",
    )


# --- The archive ------------------------------------------------------------------------


def archive(sections: dict[str, list[dict]]) -> bytes:
    """A zip holding each section twice: ``<section>.json`` and ``<section>.csv`` (nested
    values as JSON in their cell), and a README saying what is in it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("README.txt", _readme(sections))
        for name, records in sections.items():
            zipped.writestr(
                f"{name}.json",
                json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            zipped.writestr(f"{name}.csv", _csv(records))
    return buffer.getvalue()


def _csv(records: list[dict]) -> str:
    columns: list[str] = []
    for record in records:
        columns.extend(key for key in record if key not in columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _readme(sections: dict[str, list[dict]]) -> str:
    lines = [
        _("Everything Upturn holds about you in this organisation, as of %(date)s.")
        % {"date": timezone.now().date().isoformat()},
        _("Each part is here twice: as JSON and as CSV."),
        _(
            "Anonymous survey answers are not included: nothing links them to you, by "
            "design, so nobody can find them."
        ),
        "",
    ]
    lines += [f"{name}: {len(records)}" for name, records in sections.items()]
    return "\n".join(lines) + "\n"
