"""Locust's side of the load benchmark (``manage.py benchmark_load`` runs it; see
benchmarks/load.py). It imports nothing from Django: the plan (every demo login with the
paths of its journey, the API keys) comes as JSON in the file UPTURN_LOAD_PLAN names.

- ``Person``: a demo login (the ten taken in turn, so every role of both organisations
  is there), signed in once when it starts, as a person opens the app and stays signed
  in; then it visits its role's pages, mentors and mentees now and then log a session,
  and once in a while it signs out and in again, so sign-in is measured under the same
  load as the pages (its own rows: "sign-in form", "sign-in", "sign-out").
- ``ApiClient``: an integration reading the API with an organisation's key.
- ``Healthz``: /healthz without pause, the same server's floor.

A page counts as failed unless it answers 200 itself (a redirect to the sign-in page is
a failure, not a page); a form post unless it redirects as on success.
"""

# ruff: noqa: S311 - random picks the next page of a simulation, not a secret

import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["UPTURN_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_THINK = tuple(float(s) for s in os.environ.get("UPTURN_LOAD_THINK", "1,3").split(","))
_logins = itertools.cycle(PLAN["logins"])
_api_keys = itertools.cycle(PLAN["api"]["keys"])
# Each simulated person's own address, from TEST-NET-3 (RFC 5737), sent as the load
# balancer would (the benchmark's gunicorn trusts one proxy): sign-in's limits per
# address then count per person, as in production. Nothing is sent to these addresses.
_addresses = (f"203.0.113.{n % 250 + 1}" for n in itertools.count())


def _expect(response, status: int, *, redirect_not_to: str | None = None) -> None:
    with response:
        location = response.headers.get("Location", "")
        if response.status_code != status:
            response.failure(f"{response.status_code} instead of {status} {location}".strip())
        elif redirect_not_to and location.startswith(redirect_not_to):
            response.failure(f"redirected back to {location}")
        else:
            response.success()


class Person(HttpUser):
    wait_time = between(*_THINK)
    weight = 9

    def on_start(self):
        self.client.headers["X-Forwarded-For"] = next(_addresses)
        self.login = next(_logins)
        self.pages = self.login["pages"]
        self.weights = [page["weight"] for page in self.pages]
        self.sign_in()

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def sign_in(self):
        _expect(self.client.get(PLAN["sign_in"], name="sign-in form", catch_response=True), 200)
        response = self.client.post(
            PLAN["sign_in"],
            data={
                "csrfmiddlewaretoken": self._csrf(),
                "login": self.login["email"],
                "password": PLAN["password"],
            },
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        )
        _expect(response, 302, redirect_not_to=PLAN["sign_in"])

    @task(40)
    def visit_a_page(self):
        page = random.choices(self.pages, weights=self.weights)[0]
        response = self.client.get(
            page["path"], name=page["label"], allow_redirects=False, catch_response=True
        )
        _expect(response, 200)

    @task(3)
    def log_a_session(self):
        path = self.login["log_session"]
        if path is None:  # no pair (yet): another page instead
            self.visit_a_page()
            return
        _expect(self.client.get(path, name="log a session: form", catch_response=True), 200)
        # A session held some day of the past three weeks, at a random minute: two
        # simulated people of one pair never log the very same moment.
        ago = timedelta(days=random.randint(1, 21), minutes=random.randint(0, 600))
        when = datetime.now(UTC) - ago
        response = self.client.post(
            path,
            data={
                **PLAN["log_session_form"],
                "csrfmiddlewaretoken": self._csrf(),
                "when": when.strftime("%Y-%m-%dT%H:%M"),
            },
            name="log a session",
            allow_redirects=False,
            catch_response=True,
        )
        _expect(response, 302)

    @task(1)
    def sign_out_and_in_again(self):
        response = self.client.post(
            PLAN["sign_out"],
            data={"csrfmiddlewaretoken": self._csrf()},
            name="sign-out",
            allow_redirects=False,
            catch_response=True,
        )
        _expect(response, 302)
        self.sign_in()


class ApiClient(HttpUser):
    wait_time = between(*_THINK)
    fixed_count = int(os.environ.get("UPTURN_LOAD_API_CLIENTS", "1"))

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(_api_keys)}"
        self.pages = PLAN["api"]["pages"]
        self.weights = [page["weight"] for page in self.pages]

    @task
    def read(self):
        page = random.choices(self.pages, weights=self.weights)[0]
        response = self.client.get(
            page["path"], name=page["label"], allow_redirects=False, catch_response=True
        )
        _expect(response, 200)


class Healthz(HttpUser):
    wait_time = constant(0)

    @task
    def healthz(self):
        _expect(self.client.get(PLAN["healthz"], name="/healthz", catch_response=True), 200)
