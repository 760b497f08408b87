"""Demo data: two organisations with one person in every role, so that a visitor can try
each role and see that Acme and Globex never see each other's data.

Idempotent: running it again leaves the same data (it updates, never duplicates).
Later features add their own demo data by extending ``seed_demo``.
"""

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from celery import current_app
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from demo.models import DemoSeed
from demo.roster import demo_roster
from directory.csv_format import COLUMNS
from directory.models import DirectoryImport
from directory.services import (
    directory_import_apply,
    directory_import_check,
    directory_import_request_apply,
    directory_import_start,
)
from notifications.models import OutboxMessage
from organizations.api_keys import api_key_create, api_key_hash
from organizations.models import ApiKey, Organization
from organizations.roles import Role
from organizations.services import membership_set_roles
from organizations.tenancy import tenant_context
from scim.models import ScimToken
from scim.tokens import scim_token_create, scim_token_hash, scim_token_text

DIRECTORY_SIZES = {"acme": 600, "globex": 150}
# Published, like the demo password: demo data only.
DEMO_API_SECRET = "demo-key-for-trying-the-api"  # noqa: S105
DEMO_SCIM_SECRET = "demo-token-for-trying-scim"  # noqa: S105

DEMO_ORGANIZATIONS = [
    # slug, name, time zone, people by login role: (name, organisation roles)
    (
        "acme",
        "Acme",
        "Europe/Berlin",
        {
            "admin": ("Amira Haddad", {Role.ADMIN}),
            "manager": ("Mark Jensen", {Role.PROGRAM_MANAGER}),
            "mentor": ("Priya Nair", {Role.PARTICIPANT}),
            "mentee": ("Tom Becker", {Role.PARTICIPANT}),
            "exec": ("Helen Ward", {Role.EXECUTIVE}),
        },
    ),
    (
        "globex",
        "Globex",
        "America/New_York",
        {
            "admin": ("Gina Alvarez", {Role.ADMIN}),
            "manager": ("Sam Okafor", {Role.PROGRAM_MANAGER}),
            "mentor": ("Leah Kim", {Role.PARTICIPANT}),
            "mentee": ("Robert Hale", {Role.PARTICIPANT}),
            "exec": ("Diane Mercer", {Role.EXECUTIVE}),
        },
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organization: str
    role: str


@dataclass
class DemoData:
    logins: list[DemoLogin]
    api_keys: dict[str, str]  # organisation name -> its demo API key
    # organisation name -> its demo SCIM token
    scim_tokens: dict[str, str] = field(default_factory=dict)
    seeded: bool = True  # False: the demo was current, and left as it was


# Bump when the demo data changes: a database seeded by an older version is seeded again.
DEMO_VERSION = 2


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(f"{login_role}@{slug}.example", person_name, name, login_role)
        for slug, name, _zone, people in DEMO_ORGANIZATIONS
        for login_role, (person_name, _roles) in people.items()
    ]


def demo_api_key_text(slug: str) -> str:
    return f"upturn_{slug}_{DEMO_API_SECRET}"


def seed_demo(*, password: str, force: bool = False, progress=None) -> DemoData:
    """Seed the demo, or, when this database already holds the current demo (and its
    logins take ``password``), only take the snapshots a missed night left out.
    ``progress(message)`` hears of each step as it ends."""
    progress = progress or (lambda message: None)
    # Demo people have no inbox behind their addresses: the invitations, decisions and
    # calendar invitations the demo data goes through are not sent (they would bury the
    # printed logins). Tasks run here, in-process, so that a worker does not send them.
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            if not force and demo_is_current(password=password):
                _catch_up_snapshots(progress)
                return DemoData(demo_logins(), _api_keys(), _demo_scim_tokens(), seeded=False)
            return _seed_demo(password=password, progress=progress)
    finally:
        current_app.conf.task_always_eager = eager


def demo_is_current(*, password: str) -> bool:
    """Seeded by this version of the demo, both organisations and their keys still
    there, and the demo password still opens the logins (it may come from DEMO_PASSWORD)."""
    if not DemoSeed.objects.filter(version=DEMO_VERSION).exists():
        return False
    slugs = [slug for slug, *_rest in DEMO_ORGANIZATIONS]
    organizations = list(Organization.objects.filter(slug__in=slugs))
    if len(organizations) != len(slugs):
        return False
    for organization in organizations:
        raw = demo_api_key_text(organization.slug)
        with tenant_context(organization=organization):
            if not ApiKey.objects.filter(key_hash=api_key_hash(raw)).exists():
                return False
    # Every demo login shares the one hash recorded with the seed (_demo_users).
    seed = DemoSeed.objects.get(version=DEMO_VERSION)
    hashes = set(
        User.objects.filter(email__in=[d.email for d in demo_logins()]).values_list(
            "password", flat=True
        )
    )
    return hashes == {seed.login_hash} and constant_time_compare(
        seed.password_digest, _password_digest(password)
    )


def _password_digest(password: str) -> str:
    return salted_hmac("demo.DemoSeed.password_digest", password).hexdigest()


def _api_keys() -> dict[str, str]:
    return {name: demo_api_key_text(slug) for slug, name, *_rest in DEMO_ORGANIZATIONS}


def _catch_up_snapshots(progress) -> None:
    """The nightly snapshots since the last one (yesterday's at least), as the nightly
    job would take them: the dashboard has figures as of yesterday from the first page."""
    from reports.models import ORGANIZATION_SCOPE, Snapshot

    for slug, *_rest in DEMO_ORGANIZATIONS:
        organization = Organization.objects.get(slug=slug)
        started = time.monotonic()
        with transaction.atomic(), tenant_context(organization=organization):
            yesterday = timezone.localdate(timezone=organization.zone) - timedelta(days=1)
            if Snapshot.objects.filter(
                organization=organization, scope=ORGANIZATION_SCOPE, day=yesterday
            ).exists():
                continue
            # Imported only when there is work: the reports' services load SciPy, seconds
            # of a quick second run.
            from reports.services import snapshots_catch_up

            written = snapshots_catch_up(organization=organization)
        progress(
            f"{organization.name}: nightly snapshots up to yesterday ({written} written)", started
        )


@transaction.atomic
def _seed_demo(*, password: str, progress) -> DemoData:
    # Later apps build on organizations: their demo data comes after its own.
    from demo.matching import seed_matching_demo
    from demo.members import seed_members_demo
    from demo.programs import seed_programs_demo
    from demo.reports import seed_reports_demo
    from demo.sessions import seed_sessions_demo
    from demo.surveys import seed_surveys_demo

    started = time.monotonic()
    users = _demo_users(password=password)
    progress("Demo logins", started)
    for slug, name, time_zone, people in DEMO_ORGANIZATIONS:
        organization, _ = Organization.objects.update_or_create(
            slug=slug, defaults={"name": name, "time_zone": time_zone}
        )
        with tenant_context(organization=organization):
            steps = [
                ("members", _demo_members, (organization, people, users)),
                ("directory (HR file import)", _demo_directory, (organization, people)),
                ("programs", seed_programs_demo, (organization,)),
                ("matching", seed_matching_demo, (organization,)),
                ("sessions", seed_sessions_demo, (organization,)),
                ("surveys", seed_surveys_demo, (organization,)),
                ("participants' memberships", seed_members_demo, (organization,)),
                ("reports", seed_reports_demo, (organization,)),
                ("API key", _demo_api_key, (organization,)),
            ]
            for label, step, arguments in steps:
                started = time.monotonic()
                step(*arguments)
                progress(f"{name}: {label}", started)
    DemoSeed.objects.all().delete()
    DemoSeed.objects.create(
        version=DEMO_VERSION,
        seeded_at=timezone.now(),
        login_hash=User.objects.get(email=demo_logins()[0].email).password,
        password_digest=_password_digest(password),
    )
    return DemoData(demo_logins(), _api_keys(), _demo_scim_tokens())


def _demo_users(*, password: str) -> dict[str, User]:
    """The demo logins, by email. One hash of the password for all of them: hashing is
    slow on purpose (a second or more each on a loaded machine), and the password is
    published anyway."""
    emails = {d.email: d.name for d in demo_logins()}
    users = {}
    for email, name in emails.items():
        users[email], _ = User.objects.update_or_create(email=email, defaults={"name": name})
    hashes = {user.password for user in users.values()}
    if len(hashes) != 1 or not check_password(password, next(iter(hashes))):
        encoded = make_password(password)
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=encoded)
    # Demo addresses are verified up front: there is no inbox behind them.
    for email, user in users.items():
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return users


def _demo_members(organization: Organization, people: dict, users: dict[str, User]) -> None:
    for login_role, (_name, roles) in people.items():
        user = users[f"{login_role}@{organization.slug}.example"]
        membership_set_roles(organization=organization, user=user, roles=roles)


def _demo_directory(organization: Organization, people: dict) -> None:
    """The roster, through the HR file import an admin would run (uploaded, checked,
    applied: the overview and the imports page show it); the demo logins are on it by
    their email."""
    slug = organization.slug
    named = {role: (name, f"{role}@{slug}.example") for role, (name, _) in people.items()}
    rows = [
        row
        for _line, row in demo_roster(slug=slug, size=DIRECTORY_SIZES.get(slug, 100), named=named)
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    admin = User.objects.get(email=f"admin@{slug}.example")
    upload = SimpleUploadedFile(
        f"{slug}-hr-export.csv", text.getvalue().encode(), content_type="text/csv"
    )
    record = directory_import_start(organization=organization, actor=admin, upload=upload)
    record = directory_import_check(directory_import=record)
    record = directory_import_request_apply(
        organization=organization, actor=admin, directory_import=record, valid_rows_only=False
    )
    record = directory_import_apply(directory_import=record, actor=admin)
    if record.status != DirectoryImport.Status.APPLIED:
        raise RuntimeError(f"The demo HR file was not applied: {record.failure or record.status}")
    # Delivered here, not by the worker: the outbox rows the import wrote are done.
    OutboxMessage.objects.filter(
        organization=organization, key__startswith=f"directory-import:{record.pk}:"
    ).update(sent_at=timezone.now())


def demo_scim_token_text(organization: Organization) -> str:
    return scim_token_text(organization, DEMO_SCIM_SECRET)


@transaction.atomic
def _demo_scim_tokens() -> dict[str, str]:
    """Each demo organisation's published SCIM token, made if it is not there (a demo
    seeded before SCIM existed gets it without being seeded again)."""
    tokens = {}
    for slug, name, *_rest in DEMO_ORGANIZATIONS:
        organization = Organization.objects.get(slug=slug)
        raw = demo_scim_token_text(organization)
        with tenant_context(organization=organization):
            if not ScimToken.objects.filter(token_hash=scim_token_hash(raw)).exists():
                scim_token_create(
                    organization=organization,
                    actor=None,
                    name="Demo token",
                    secret=DEMO_SCIM_SECRET,
                )
        tokens[name] = raw
    return tokens


def _demo_api_key(organization: Organization) -> str:
    raw = demo_api_key_text(organization.slug)
    if not ApiKey.objects.filter(organization=organization, key_hash=api_key_hash(raw)).exists():
        api_key_create(
            organization=organization,
            actor=None,
            name="Demo key",
            roles={Role.ADMIN},
            secret=DEMO_API_SECRET,
        )
    return raw
