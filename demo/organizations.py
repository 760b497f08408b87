"""Demo data: two organisations with one person in every role, so that a visitor can try
each role and see that Acme and Globex never see each other's data.

Idempotent: running it again leaves the same data (it updates, never duplicates).
Later features add their own demo data by extending ``seed_demo``.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from celery import current_app
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from demo.roster import demo_roster
from directory.importing import apply_plan, plan_import
from organizations.api_keys import api_key_create, api_key_hash
from organizations.models import ApiKey, Organization
from organizations.roles import Role
from organizations.services import membership_set_roles
from organizations.tenancy import tenant_context

DIRECTORY_SIZES = {"acme": 600, "globex": 150}
# Published, like the demo password: demo data only.
DEMO_API_SECRET = "demo-key-for-trying-the-api"  # noqa: S105

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


def seed_demo(*, password: str) -> DemoData:
    # Demo people have no inbox behind their addresses: the invitations, decisions and
    # calendar invitations the demo data goes through are not sent (they would bury the
    # printed logins). Tasks run here, in-process, so that a worker does not send them.
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            return _seed_demo(password=password)
    finally:
        current_app.conf.task_always_eager = eager


@transaction.atomic
def _seed_demo(*, password: str) -> DemoData:
    # Later apps build on organizations: their demo data comes after its own.
    from demo.matching import seed_matching_demo
    from demo.programs import seed_programs_demo
    from demo.reports import seed_reports_demo
    from demo.sessions import seed_sessions_demo
    from demo.surveys import seed_surveys_demo

    logins, api_keys = [], {}
    for slug, name, time_zone, people in DEMO_ORGANIZATIONS:
        organization, _ = Organization.objects.update_or_create(
            slug=slug, defaults={"name": name, "time_zone": time_zone}
        )
        with tenant_context(organization=organization):
            for login_role, (person_name, roles) in people.items():
                email = f"{login_role}@{slug}.example"
                user = _demo_user(email=email, name=person_name, password=password)
                membership_set_roles(organization=organization, user=user, roles=roles)
                logins.append(DemoLogin(email, person_name, name, login_role))
            _demo_directory(organization, people)
            seed_programs_demo(organization)
            seed_matching_demo(organization)
            seed_sessions_demo(organization)
            seed_surveys_demo(organization)
            seed_reports_demo(organization)
            api_keys[name] = _demo_api_key(organization)
    return DemoData(logins, api_keys)


def _demo_user(*, email: str, name: str, password: str) -> User:
    user, _ = User.objects.update_or_create(email=email, defaults={"name": name})
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    # Demo addresses are verified up front: there is no inbox behind them.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _demo_directory(organization: Organization, people: dict) -> None:
    """The roster, through the import itself; the demo logins are on it by their email."""
    slug = organization.slug
    named = {role: (name, f"{role}@{slug}.example") for role, (name, _) in people.items()}
    rows = demo_roster(slug=slug, size=DIRECTORY_SIZES.get(slug, 100), named=named)
    plan = plan_import(organization=organization, rows=rows)
    apply_plan(organization=organization, plan=plan, valid_rows_only=False)


def _demo_api_key(organization: Organization) -> str:
    raw = f"upturn_{organization.slug}_{DEMO_API_SECRET}"
    if not ApiKey.objects.filter(organization=organization, key_hash=api_key_hash(raw)).exists():
        api_key_create(
            organization=organization,
            actor=None,
            name="Demo key",
            roles={Role.ADMIN},
            secret=DEMO_API_SECRET,
        )
    return raw
