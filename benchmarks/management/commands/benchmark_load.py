"""Load-test the production stack with the demo's people (issue 19).

    python manage.py benchmark_load --users 50 --seconds 60

Starts bin/web (gunicorn), bin/worker and bin/beat on 127.0.0.1 with production
settings (DEBUG off, plain HTTP), on this environment's database and Redis, which must
hold the demo (``seed_demo``); run it against a scratch database, since the simulated
people log sessions. Then two headless locust runs (benchmarks/locustfile.py):

1. the floor: as many users asking /healthz without pause, for ``--floor-seconds``;
2. the journeys: ``--users`` simulated users, one in ten an API integration, the rest
   the ten demo logins in turn (every role of both organisations), each signed in once
   and then going through its role's pages with ``--think`` seconds between requests.

Prints requests per second, p50/p95/p99 per page and the failures, beside the floor,
and checks the issue's goal: p95 under 1 s on every page and no failed request.
Everything stays on the loopback interface, bounded in users and time.
"""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarks import load
from demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD

P95_GOAL_MS = 1000
MAX_USERS = 200
MAX_SECONDS = 600


class Command(BaseCommand):
    help = (
        "Load-test gunicorn, a worker, PostgreSQL and Redis with the demo people's "
        "journeys (locust, headless, loopback only), beside /healthz as the floor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
        parser.add_argument("--floor-seconds", type=int, default=15)
        parser.add_argument("--warmup-seconds", type=int, default=15)
        parser.add_argument(
            "--think",
            default="1,3",
            help="seconds each simulated person waits between requests: min,max",
        )
        parser.add_argument("--port", type=int, default=18100)
        parser.add_argument("--web-workers", type=int, default=3, help="gunicorn's workers")
        parser.add_argument("--password", default=DEFAULT_DEMO_PASSWORD)

    def handle(
        self,
        *args,
        users,
        seconds,
        spawn_rate,
        floor_seconds,
        warmup_seconds,
        think,
        port,
        **options,
    ):
        phases = (seconds, floor_seconds, warmup_seconds)
        if not 1 <= users <= MAX_USERS or not all(1 <= s <= MAX_SECONDS for s in phases):
            raise CommandError(f"Keep it bounded: 1-{MAX_USERS} users, 1-{MAX_SECONDS} s a phase.")
        try:
            low, high = (float(s) for s in think.split(","))
        except ValueError:
            raise CommandError("--think takes min,max seconds, e.g. 1,3") from None
        if not load.demo_present():
            raise CommandError("This database does not hold the demo: run seed_demo first.")
        host = "127.0.0.1"
        load.require_loopback(host)
        url = f"http://{host}:{port}"
        out = self.stdout.write
        with tempfile.TemporaryDirectory(prefix="upturn-load-") as folder:
            work = Path(folder)
            plan_file = work / "plan.json"
            plan_file.write_text(load.plan_json(password=options["password"]))
            env = load.stack_environment(bind=f"{host}:{port}", web_workers=options["web_workers"])
            load.collect_static(env)
            with load.running_stack(env=env, logs=work):
                try:
                    load.wait_until_healthy(url)
                except RuntimeError as error:
                    raise CommandError(f"{error}\n{load.tail(work)}") from None
                out(
                    f"Stack up at {url}: gunicorn ({options['web_workers']} workers), worker, beat."
                )
                # Each gunicorn worker imports the URLconf and compiles each template on
                # first use (seconds on a busy machine): warm them up, uncounted.
                load.run_locust(
                    load.Run("warmup", ("Person",), 10, 10, warmup_seconds, (0.1, 0.5)),
                    host=url,
                    plan_file=plan_file,
                    out=work,
                )
                floor = load.run_locust(
                    load.Run("floor", ("Healthz",), users, spawn_rate, floor_seconds),
                    host=url,
                    plan_file=plan_file,
                    out=work,
                )
                journeys = load.run_locust(
                    load.Run(
                        "journeys", ("Person", "ApiClient"), users, spawn_rate, seconds, (low, high)
                    ),
                    host=url,
                    plan_file=plan_file,
                    out=work,
                )
        self._report(users, seconds, (low, high), floor, journeys)

    def _report(self, users, seconds, think, floor, journeys):
        out = self.stdout.write
        out(
            f"\n{users} users ({load.api_clients(users)} API clients) for {seconds} s, "
            f"{think[0]:g}-{think[1]:g} s between requests:"
        )
        out(
            f"  {'page':<22} {'requests':>8} {'failed':>6} {'rps':>6} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p99 ms':>7}"
        )
        for row in [*journeys.pages, journeys.total]:
            out(
                f"  {row.name:<22} {row.requests:>8} {row.failures:>6} {row.rps:>6.1f} "
                f"{row.p50:>7.0f} {row.p95:>7.0f} {row.p99:>7.0f}"
            )
        f = floor.total
        out(
            f"\nFloor, /healthz with {users} users and no pause: {f.rps:.1f} rps, "
            f"p50 {f.p50:.0f} ms, p95 {f.p95:.0f} ms, p99 {f.p99:.0f} ms, {f.failures} failed."
        )
        out(f"Journeys: {journeys.total.rps:.1f} rps, {journeys.total.failures} failed.")
        for name, error, count in journeys.failures[:20]:
            out(f"  failed {count}x {name}: {error}")
        slow = [row.name for row in journeys.pages if row.p95 >= P95_GOAL_MS]
        if slow or journeys.total.failures:
            out(
                self.style.ERROR(
                    f"Goal missed (p95 under {P95_GOAL_MS} ms on every page, no failure): "
                    + (f"p95 too high on {', '.join(slow)}" if slow else "requests failed")
                )
            )
        else:
            out(
                self.style.SUCCESS(
                    f"Goal met: p95 under {P95_GOAL_MS} ms on every page, no failure."
                )
            )
