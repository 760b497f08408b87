"""The embedded default's scheduled work, end to end, against a running `make run`
(called by .ci/smoke-embedded with the clone's own Python, in the clone):

1. the demo manager schedules a survey, already due, for the demo mentor's cohort,
   through the page a manager uses;
2. within two minutes the demo mentor sees it waiting on "My surveys" (the worker took
   the schedule's outbox message from the filesystem broker and asked the cohort);
3. the worker is stopped; within two minutes the manager sees the "paused" banner.

Only the ids are read from the database (as a person would find them by clicking); every
change goes through HTTP. Standard library only. Exits non-zero, saying why, on failure.
"""

import html
import http.cookiejar
import os
import re
import signal
import sys
import time
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
PASSWORD = "upturn-demo"  # noqa: S105 - the demo logins' published password
PAUSED = "Reminders, surveys and reports are paused"


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


class Browser:
    """A cookie jar and a CSRF token: what a person's browser keeps between pages."""

    def __init__(self, email: str) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/accounts/login/")
        self.post("/accounts/login/", {"login": email, "password": PASSWORD}, page)
        if "sessionid" not in {cookie.name for cookie in self.jar}:
            fail(f"{email} could not sign in")

    def get(self, path: str) -> str:
        with self.opener.open(BASE + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            fail(f"no CSRF token on the page before POST {path}")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token.group(1)}).encode()
        request = urllib.request.Request(  # noqa: S310 - our own local server
            BASE + path, data=body, headers={"Referer": BASE + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()


def ids() -> tuple[str, int, int, int, str]:
    """The mentor's cohort and a survey of its program that has questions."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, os.getcwd())  # the clone, not .ci/
    import django

    django.setup()
    from organizations.models import Organization
    from organizations.tenancy import tenant_context
    from programs.models import Participant
    from surveys.models import Survey

    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        mentor = (
            Participant.objects.filter(
                employee__member__user__email="mentor@acme.example",
                status=Participant.Status.APPROVED,
            )
            .select_related("cohort")
            .order_by("-cohort__start_date")
            .first()
        )
        if mentor is None:
            fail("the demo mentor is in no cohort")
        survey = (
            Survey.objects.filter(program_id=mentor.cohort.program_id, questions__isnull=False)
            .distinct()
            .first()
        )
        if survey is None:
            fail("the demo mentor's program has no survey with questions")
        return acme.slug, survey.pk, mentor.cohort.pk, mentor.cohort.start_date, survey.title


def waiting(mentor: Browser, slug: str) -> set[str]:
    """The surveys the mentor is asked to answer: their links on My surveys."""
    page = mentor.get(f"/o/{slug}/surveys/mine/")
    return set(re.findall(rf'href="(/o/{slug}/surveys/mine/\d+/)"', page))


def main() -> None:
    from datetime import date

    slug, survey_id, cohort_id, start, title = ids()
    manager, mentor = Browser("manager@acme.example"), Browser("mentor@acme.example")
    before = waiting(mentor, slug)

    # Due yesterday (so 08:00 in everyone's zone has passed), open for two weeks.
    offset = (date.today() - start).days - 1
    editor = manager.get(f"/o/{slug}/surveys/{survey_id}/")
    done = manager.post(
        f"/o/{slug}/surveys/{survey_id}/schedules/new/",
        {
            "cohort": cohort_id,
            "anchor": "cohort_start",
            "offset_days": offset,
            "audience": "both",
            "open_days": 14,
        },
        editor,
    )
    if "Scheduled for" not in html.unescape(done):
        fail(f"the manager could not schedule “{title}” (offset {offset} days)")
    scheduled = time.monotonic()
    print(f"the manager scheduled “{title}”, due since yesterday, for the mentor's cohort")

    while (new := waiting(mentor, slug) - before) == set():
        if time.monotonic() - scheduled > 120:
            fail("the mentor saw no new survey waiting within two minutes")
        time.sleep(2)
    print(f"the mentor sees it waiting after {time.monotonic() - scheduled:.0f} s: {sorted(new)}")

    # Stop the worker (beat stops with it) as an operator or a crash would.
    here = []
    for proc in os.listdir("/proc"):
        try:
            command = open(f"/proc/{proc}/cmdline", "rb").read().split(b"\0")  # noqa: SIM115
            cwd = os.readlink(f"/proc/{proc}/cwd")
        except OSError:  # not a process, or gone
            continue
        if b"celery" in command and b"worker" in command and cwd == os.getcwd():
            here.append(proc)
    if not here:
        fail("no worker of this clone is running")
    for pid in here:
        os.kill(int(pid), signal.SIGTERM)
    stopped = time.monotonic()
    while PAUSED not in html.unescape(manager.get(f"/o/{slug}/")):
        if time.monotonic() - stopped > 120:
            fail("the manager saw no 'paused' banner within two minutes of the worker stopping")
        time.sleep(3)
    print(f"the manager sees the paused banner {time.monotonic() - stopped:.0f} s after the stop")
    if PAUSED in html.unescape(mentor.get(f"/o/{slug}/")):
        fail("the mentor is shown the banner meant for admins and program managers")


if __name__ == "__main__":
    main()
