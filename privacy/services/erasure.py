"""An admin erases a person from one organisation. In one transaction, and no undo.

What goes (see README, "Personal data: export, erasure, retention"):
- their membership (with their notifications, notification settings, calendar feed,
  exports and their files);
- their directory entry's personal fields (name, email, employee number, job title,
  location, time zone, birth year) and their demographic answers; the entry stays, with
  department and level, as "Erased person", so that counts hold;
- in each of their places in programs, what ``participations_anonymise`` removes;
- their name and email wherever the organisation's other rows repeat them (other
  people's notifications, pairing explanations, match-run notes, import rejections and
  staged rows, invitations), replaced by the placeholder;
- in the audit log, their name, email and address (entries by them lose their actor);
  one new entry records the erasure, by whom, with counts and no personal data;
- if the account belongs to no other organisation: its email, name and password (the
  account is disabled; its email addresses and two-factor devices deleted). If it does,
  the account stays for those organisations.

What stays, anonymised: sessions, pairs, ratings, goals, commitments and shared notes
(the partner's workspace too), survey answers (no longer linked to anyone), anonymous
answers (never were), snapshots and every count.
"""

import uuid
from collections import Counter

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from directory.models import DirectoryImport, Employee, EmployeeDemographics, ImportRow
from matching.models import MatchRun, Pair, Unplaced
from notifications.models import Notification, OutboxMessage
from organizations.audit import audit_record
from organizations.models import AuditAction, Invitation, Membership, Organization
from organizations.tenancy import scopes_disabled, tenant_context
from privacy.models import DataExport
from privacy.services.anonymise import participations_anonymise
from privacy.services.confidential import audit_forget, replace_in_json, replace_words
from programs.models import Participant
from surveys.models import Concern

# Stored, not shown through gettext: the same words in every language's database.
ERASED_NAME = "Erased person"
ERASED_EMAIL_DOMAIN = "erased.invalid"


def erasure_words(membership: Membership) -> list[str]:
    """The person's name and email as the organisation's rows may hold them."""
    employee = Employee.objects.filter(member=membership).first()
    words = {membership.user.email, membership.user.name}
    if employee is not None:
        words |= {employee.email, employee.name}
    return sorted(w for w in words if w and w.strip())


@transaction.atomic
def person_erase(
    *,
    organization: Organization,
    actor: User,
    membership: Membership,
    confirmation: str,
    ip_address: str | None = None,
) -> Counter:
    """Erase the person of ``membership``; ``confirmation`` must be their email, typed by
    the admin. Returns what was done (counts only)."""
    user = membership.user
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot erase yourself. Ask another admin."))
    if confirmation.strip().lower() != user.email.lower():
        raise ValidationError(
            _("Type the person's email address exactly, to confirm: nothing was erased.")
        )
    words = erasure_words(membership)
    done = Counter()
    employee = Employee.objects.filter(member=membership).first()
    participant_ids = (
        list(Participant.objects.filter(employee=employee).values_list("pk", flat=True))
        if employee
        else []
    )
    done.update(
        participations_anonymise(organization=organization, participant_ids=participant_ids)
    )
    done.update(_repeated_words_replace(organization, words))
    if employee is not None:
        _employee_scrub(organization, employee)
        done["directory_entries"] += 1
    invitations = Invitation.objects.filter(email__iexact=user.email)
    done["invitations"] = invitations.count()
    for invitation in invitations:
        invitation.email = f"{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
        if invitation.is_open:
            invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["email", "revoked_at"])
    for export in DataExport.objects.filter(membership=membership):
        if export.file:
            export.file.delete(save=False)
    membership_id = membership.pk
    membership.delete()
    done["audit_entries"] = audit_forget(
        organization=organization, user_id=user.pk, words=words, placeholder=ERASED_NAME
    )
    account_erased = not _belongs_elsewhere(user, organization)
    if account_erased:
        _account_erase(user)
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.PERSON_ERASED,
        details={
            "membership": membership_id,
            "account_erased": account_erased,
            "counts": {key: value for key, value in sorted(done.items()) if value},
        },
        ip_address=ip_address,
    )
    return done


def _employee_scrub(organization: Organization, employee: Employee) -> None:
    EmployeeDemographics.objects.filter(employee=employee).delete()
    ImportRow.objects.filter(employee_number=employee.employee_number).update(
        employee_number=f"erased-{employee.pk}", name=ERASED_NAME, email="", location=""
    )
    # Unique per organisation, and never an HR system's own: a later import that still
    # lists the person adds them as someone new (the HR file is theirs to correct).
    employee.employee_number = f"erased-{employee.pk}"
    employee.name = ERASED_NAME
    employee.email = ""
    employee.job_title = ""
    employee.location = ""
    employee.time_zone = ""
    employee.birth_year = None
    employee.member = None
    employee.save()


def _repeated_words_replace(organization: Organization, words: list[str]) -> Counter:
    """Where other rows repeat the person's name or email (written by Upturn for others:
    "Priya wrote to you", a pairing's explanation), the placeholder replaces it."""
    done = Counter()
    text_columns = [
        (Notification, ["title", "body"]),
        (Pair, ["explanation", "override_reason", "end_reason"]),
        (Unplaced, ["reason"]),
        (ImportRow, ["name", "email"]),
        (Concern, ["text", "follow_up"]),
    ]
    json_columns = [
        (MatchRun, ["notes"]),
        (DirectoryImport, ["rejections"]),
        (OutboxMessage, ["args"]),
    ]
    for model, fields in text_columns + json_columns:
        is_json = (model, fields) in json_columns
        for row in _rows_mentioning(model, fields, words, is_json):
            for field in fields:
                value = getattr(row, field)
                new = (
                    replace_in_json(value, words, ERASED_NAME)
                    if is_json
                    else replace_words(value, words, ERASED_NAME)
                )
                setattr(row, field, new)
            row.save(update_fields=fields)
            done["mentions_replaced"] += 1
    return done


def _rows_mentioning(model, fields: list[str], words: list[str], is_json: bool) -> list:
    if is_json:
        # A text search of the JSON document (both databases cast it to its text).
        queryset = model.objects.annotate(**{f"_{f}_text": Cast(f, TextField()) for f in fields})
        names = [f"_{f}_text" for f in fields]
    else:
        queryset, names = model.objects.all(), fields
    condition = Q()
    for name in names:
        for word in words:
            condition |= Q(**{f"{name}__icontains": word})
    return list(queryset.filter(condition)) if words else []


def _belongs_elsewhere(user: User, organization: Organization) -> bool:
    """Whether the account has a membership of another organisation (read on the
    person's behalf outside any organisation, where the policy shows their own)."""
    with tenant_context(user=user), scopes_disabled():
        # The tenancy machinery's own question, as the organisation switcher asks it.
        return Membership.objects.filter(user=user).exclude(organization=organization).exists()


def _account_erase(user: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).delete()
    user.email = f"{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
    user.name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
