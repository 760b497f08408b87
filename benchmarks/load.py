"""The load benchmark (``manage.py benchmark_load``, issue 19): the demo people of every
role signed in and going through their pages against the production stack (gunicorn, a
Celery worker and beat, PostgreSQL, Redis), driven by locust on the loopback interface.

This module is the Django side: which pages each role visits (``JOURNEYS``, URL names
that ``tests/benchmarks/test_load.py`` holds to existing, reachable pages), the plan
built from them for the demo's logins, the stack's processes and the reading of
locust's figures. ``benchmarks/locustfile.py`` is the locust side: it reads the plan and
imports nothing from Django, so the suite never loads locust (or gevent's patching).
"""

import csv
import ipaddress
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from demo.organizations import DEMO_ORGANIZATIONS, demo_api_key_text, demo_logins
from matching.models import Pair
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Cohort, Program

BASE_DIR = Path(settings.BASE_DIR)
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

# Locust's names for the requests that are not pages of a journey.
SIGN_IN = "sign-in"
SIGN_IN_FORM = "sign-in form"
SIGN_OUT = "sign-out"
LOG_SESSION_FORM = "log a session: form"
LOG_SESSION = "log a session"
HEALTHZ = "/healthz"


@dataclass(frozen=True)
class Page:
    """One page of a journey: ``label`` is the row locust reports it under (both
    organisations together), ``ids`` the login's ids its URL takes besides the
    organisation, ``weight`` how often it is visited against the role's other pages."""

    label: str
    url_name: str
    ids: tuple[str, ...] = ()
    weight: int = 1


_OVERVIEW = Page("overview", "home:overview", weight=3)
_NOTIFICATIONS = Page("notifications", "notifications:list")
_PARTICIPANT = (
    _OVERVIEW,
    Page("workspace", "mentoring:pair", ("pair_id",), weight=4),
    Page("my programs", "home:my_programs"),
    Page("my surveys", "surveys_respond:mine"),
    _NOTIFICATIONS,
)
JOURNEYS: dict[str, tuple[Page, ...]] = {
    "admin": (
        _OVERVIEW,
        Page("members", "organizations:member_list", weight=2),
        Page("audit log", "organizations:audit_log"),
        Page("directory", "directory:list", weight=2),
        Page("settings", "organizations:settings"),
    ),
    "manager": (
        _OVERVIEW,
        Page("programs", "programs:list"),
        Page("program", "programs:detail", ("program_id",), weight=2),
        Page("cohort", "programs:cohort", ("program_id", "cohort_id"), weight=3),
        Page("pairs", "mentoring_manager:pairs", ("program_id",), weight=2),
        # A program manager's dashboard is their program's (the organisation's redirects).
        Page("program dashboard", "reports:program", ("program_id",), weight=2),
    ),
    "mentor": _PARTICIPANT,
    "mentee": _PARTICIPANT,
    "exec": (
        _OVERVIEW,
        Page("dashboard", "reports:dashboard", weight=4),
        Page("program dashboard", "reports:program", ("program_id",), weight=2),
    ),
}
# Mentors and mentees with a pair also log a session now and then (a form, then a post).
LOG_SESSION_PAGE = Page(LOG_SESSION, "mentoring:session_log_unscheduled", ("pair_id",))
# What the simulated person posts to log it: a session held, 45 minutes, rated 4 of 5. The
# locustfile adds "when", a moment of the past three weeks (sessions/forms.py, LogForm).
LOG_SESSION_FORM = {
    "held": "yes",
    "held_minutes": "45",
    "rating": "4",
    "learned": "How our teams use the new tools.",
}
# What an integration reads with the organisation's API key (no organisation in the path).
API_READS = (
    Page("api: employees", "api_employee_list", weight=3),
    Page("api: departments", "api_department_list"),
    Page("api: members", "api_member_list", weight=2),
    Page("api: surveys", "api_survey_list"),
    Page("api: kpis", "api_report_kpis", weight=2),
)


def page_path(page: Page, ids: dict) -> str:
    """The page's path for these ids: the organisation's slug, unless it is an API read."""
    kwargs = {name: ids[name] for name in page.ids}
    if not page.url_name.startswith("api_"):
        kwargs["org_slug"] = ids["org_slug"]
    return reverse(page.url_name, kwargs=kwargs)


def _login_ids(organization: Organization, user: User) -> dict:
    """The ids a login's pages take: their active pair (participants), the organisation's
    active program, else its newest one, and that program's first cohort."""
    ids: dict = {"org_slug": organization.slug}
    with tenant_context(organization=organization):
        programs = Program.objects.order_by("-pk")
        program = programs.filter(status=Program.Status.ACTIVE).first() or programs.first()
        if program is not None:
            ids["program_id"] = program.pk
            cohort = Cohort.objects.filter(program=program).order_by("pk").first()
            if cohort is not None:
                ids["cohort_id"] = cohort.pk
        mine = Q(mentor__employee__member__user=user) | Q(mentee__employee__member__user=user)
        pair = Pair.objects.filter(mine, status=Pair.Status.ACTIVE).order_by("pk").first()
        if pair is not None:
            ids["pair_id"] = pair.pk
    return ids


@dataclass
class PlannedLogin:
    """One demo login as the locustfile reads it."""

    email: str
    role: str
    organization: str
    pages: list[dict]  # {"label", "path", "weight"}
    log_session: str | None  # the unscheduled-session form's path, when they have a pair


def build_plan(*, password: str) -> dict:
    """Every demo login with the paths of its journey, the sign-in and sign-out paths,
    and the API keys, as JSON-ready data. A page whose ids a login lacks (Globex's
    participants have no pair yet) is left out of its journey."""
    organizations = {o.slug: o for o in Organization.objects.filter(slug__in=_demo_slugs())}
    users = {u.email: u for u in User.objects.filter(email__in=[d.email for d in demo_logins()])}
    logins = []
    for login in demo_logins():
        slug = login.email.split("@")[1].removesuffix(".example")
        ids = _login_ids(organizations[slug], users[login.email])
        pages = [
            {"label": page.label, "path": page_path(page, ids), "weight": page.weight}
            for page in JOURNEYS[login.role]
            if all(name in ids for name in page.ids)
        ]
        log_session = page_path(LOG_SESSION_PAGE, ids) if "pair_id" in ids else None
        logins.append(asdict(PlannedLogin(login.email, login.role, slug, pages, log_session)))
    return {
        "password": password,
        "sign_in": reverse("account_login"),
        "sign_out": reverse("account_logout"),
        "healthz": reverse("healthz"),
        "log_session_form": LOG_SESSION_FORM,
        "logins": logins,
        "api": {
            "keys": [demo_api_key_text(slug) for slug in _demo_slugs()],
            "pages": [
                {"label": page.label, "path": page_path(page, {}), "weight": page.weight}
                for page in API_READS
            ],
        },
    }


def demo_present() -> bool:
    """Both demo organisations and every demo login are there. (Not ``demo_is_current``:
    a sign-in that rehashed a login's password with newer parameters leaves the demo
    usable, though seed_demo would then seed it again.)"""
    logins = [d.email for d in demo_logins()]
    return Organization.objects.filter(slug__in=_demo_slugs()).count() == len(
        _demo_slugs()
    ) and User.objects.filter(email__in=logins).count() == len(logins)


def _demo_slugs() -> list[str]:
    return [slug for slug, *_rest in DEMO_ORGANIZATIONS]


# --- The stack -------------------------------------------------------------------------


def require_loopback(host: str) -> None:
    """The benchmark only ever binds and sends to this machine's loopback interface."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{host} is not a loopback address: the load benchmark stays local.")


def stack_environment(*, bind: str, web_workers: int) -> dict[str, str]:
    """The environment bin/web, bin/worker and bin/beat run with: production settings
    (DEBUG off) over plain HTTP on the loopback interface, as .ci/smoke-stack runs them,
    on this process's database and Redis. A secret key and a survey key pair are made
    for the run when the environment has none."""
    from surveys.sealing import generate_key_pair

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS=bind.rsplit(":", 1)[0],
        BIND=bind,
        WEB_CONCURRENCY=str(web_workers),
        LOG_LEVEL="WARNING",
        # /healthz reports ok once the worker has run beat's heartbeat: soon, not in a minute.
        HEARTBEAT_SECONDS="3",
        # As behind a load balancer: each simulated person comes from an address of their
        # own (X-Forwarded-For, set by the locustfile), as people do, rather than all 50
        # from 127.0.0.1, where allauth's limit of 30 sign-ins a minute per address (its
        # "login" default) would refuse the rest.
        TRUSTED_PROXY_COUNT="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if not env.get("SURVEY_SEAL_PUBLIC_KEY"):
        public, private = generate_key_pair()
        env["SURVEY_SEAL_PUBLIC_KEY"], env["SURVEY_SEAL_PRIVATE_KEY"] = public, private
    return env


def collect_static(env: dict[str, str]) -> None:
    """Production pages name their assets through collectstatic's manifest (in
    staticfiles/, which git ignores), so collect with the stack's settings first, as
    .ci/smoke-stack does; unless the manifest is newer than every file in static/
    (collecting compresses every asset again: minutes on a busy 2-core machine)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        collected = manifest.stat().st_mtime
        sources = (path for path in (BASE_DIR / "static").rglob("*") if path.is_file())
        if all(path.stat().st_mtime <= collected for path in sources):
            return
    subprocess.run(  # noqa: S603 - our own manage.py, no shell
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


@contextmanager
def running_stack(*, env: dict[str, str], logs: Path) -> Iterator[None]:
    """gunicorn, a worker and beat (bin/web, bin/worker, bin/beat), each leading a process
    group of its own, stopped (with their children) when the block ends."""
    env = {**env, "BEAT_SCHEDULE_FILE": str(logs / "beat-schedule")}
    worker_env = dict(env)
    # Only the worker holds the key that opens sealed answers, as in docker-compose.yml.
    web_env = {k: v for k, v in env.items() if k != "SURVEY_SEAL_PRIVATE_KEY"}
    processes = []
    try:
        for name, process_env in (("web", web_env), ("worker", worker_env), ("beat", web_env)):
            log = (logs / f"{name}.log").open("wb")
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own scripts, no shell
                    [str(BASE_DIR / "bin" / name)],
                    cwd=BASE_DIR,
                    env=process_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield
    finally:
        for process in processes:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_healthy(url: str, *, timeout: float = 60) -> dict:
    """/healthz's answer once everything reports ok (the worker's heartbeat included)."""
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310
                body = json.load(response)
        except OSError:
            pass
        if body.get("status") == "ok":
            return body
        time.sleep(0.5)
    raise RuntimeError(f"The stack did not become healthy within {timeout:.0f} s: {body}")


# --- Locust ----------------------------------------------------------------------------


@dataclass
class Run:
    """One headless locust run: which user classes, how many users for how long."""

    name: str
    user_classes: tuple[str, ...]
    users: int
    spawn_rate: float
    seconds: int
    think: tuple[float, float] = (0.0, 0.0)


def run_locust(run: Run, *, host: str, plan_file: Path, out: Path) -> "LoadResult":
    """Run locust headless in a process of its own and read its CSV figures."""
    prefix = out / run.name
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--users",
        str(run.users),
        "--spawn-rate",
        str(run.spawn_rate),
        "--run-time",
        f"{run.seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        *run.user_classes,
    ]
    env = {
        **os.environ,
        "UPTURN_LOAD_PLAN": str(plan_file),
        "UPTURN_LOAD_THINK": f"{run.think[0]},{run.think[1]}",
        "UPTURN_LOAD_API_CLIENTS": str(api_clients(run.users)),
    }
    log = out / f"{prefix.name}.log"
    with log.open("wb") as stream:
        # Locust exits with 1 when any request failed: the figures say which.
        subprocess.run(command, env=env, stdout=stream, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no figures; its output is in {log}")
    return LoadResult.from_csv(stats, Path(f"{prefix}_failures.csv"))


def api_clients(users: int) -> int:
    """How many of the simulated users are API integrations: one in ten, at least one."""
    return max(1, users // 10)


@dataclass(frozen=True)
class PageFigures:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class LoadResult:
    pages: list[PageFigures]
    total: PageFigures
    failures: list[tuple[str, str, int]]  # (request name, error, occurrences)

    @classmethod
    def from_csv(cls, stats: Path, failures: Path) -> "LoadResult":
        rows = []
        with stats.open(newline="") as stream:
            for row in csv.DictReader(stream):
                rows.append(
                    PageFigures(
                        name=row["Name"],
                        requests=int(row["Request Count"]),
                        failures=int(row["Failure Count"]),
                        rps=float(row["Requests/s"]),
                        p50=_milliseconds(row["50%"]),
                        p95=_milliseconds(row["95%"]),
                        p99=_milliseconds(row["99%"]),
                    )
                )
        errors = []
        if failures.exists():
            with failures.open(newline="") as stream:
                errors = [
                    (row["Name"], row["Error"], int(row["Occurrences"]))
                    for row in csv.DictReader(stream)
                ]
        total = next(r for r in rows if r.name == "Aggregated")
        pages = sorted((r for r in rows if r.name != "Aggregated"), key=lambda r: r.name)
        return cls(pages=pages, total=total, failures=errors)


def _milliseconds(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def plan_json(*, password: str) -> str:
    return json.dumps(build_plan(password=password), indent=1)


def tail(logs: Path, lines: int = 20) -> str:
    """The last lines of each process's log, for a stack that did not come up."""
    parts = []
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {log.name}\n" + "\n".join(text))
    return "\n".join(parts)
