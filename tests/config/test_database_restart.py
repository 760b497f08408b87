"""A PostgreSQL restart under load: pages come back by themselves, with no server error.

Everything here is a real process of the test's own: a PostgreSQL cluster (initdb into a
temporary folder, on a free port), ``manage.py migrate`` against it, and the web process
as deployed (bin/web: gunicorn, two workers). The shared PostgreSQL of the test run is
never touched. While requests are in flight the cluster is stopped (fast shutdown, which
ends every open connection), held down for a moment, started again; then restarted with
``pg_ctl restart -m fast`` under load; then once more with no request in flight.

What must hold: during the outage ``/healthz`` answers 503 and ``/healthz/live`` 200;
once PostgreSQL accepts connections again, no request started after that answers 500:
every page answers its normal status at once. A worker that served a request during the
outage drops its broken connection anyway (Django closes a connection after an error); the
quiet restart is the case that needs CONN_HEALTH_CHECKS (config/settings.py): a worker's
persistent connection (conn_max_age), killed while it was idle, is noticed and replaced
before a request uses it, instead of failing that request with a 500.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import require

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "upturn-demo"  # noqa: S105 - a throwaway user in a throwaway cluster
EMAIL = "fault@example.com"
PAGES = ["/healthz/live", "/healthz", "/accounts/login/", "/"]
# How long pages may take to answer normally once PostgreSQL accepts connections again.
RECOVERY_SECONDS = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_bin() -> Path | None:
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


def _as_postgres() -> list[str] | None:
    """The prefix that runs PostgreSQL's programs as a non-root user, or None if none can."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        return None
    try:
        probe = subprocess.run(  # noqa: S603 - a fixed command line
            [runuser, "-u", "postgres", "--", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [runuser, "-u", "postgres", "--"] if probe.returncode == 0 else None


class _OwnPostgres:
    """A PostgreSQL cluster of this test's own, with trust authentication on a free port."""

    def __init__(self, bin_dir: Path, prefix: list[str], folder: Path):
        self.bin = bin_dir
        self.prefix = prefix
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.running = False

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 - the command lines are fixed here
            [*self.prefix, *args], check=True, capture_output=True, timeout=timeout
        )

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "postgres.log"),
            "-w",
            "-t",
            "30",
            *options,
            action,
        )

    def init(self) -> None:
        if self.prefix:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("start", "-o", options)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)
        self.running = False

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def createdb(self, name: str) -> None:
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(base: str, path: str, cookie: str = "") -> int | str:
    """The status of one GET, or the kind of failure if no answer came."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        return error.__class__.__name__


def _sign_in(base: str) -> str:
    """Sign in through the login form; the Cookie header of the signed-in session."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar, _NoRedirect)
    with opener.open(base + "/accounts/login/", timeout=10) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode(
        {"login": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
    )
    try:
        opener.open(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    cookies = {cookie.name: cookie.value for cookie in jar.cookiejar}
    assert status == 302 and "sessionid" in cookies, f"sign-in answered {status}"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class _Load:
    """Threads that GET every page over and over, recording (start, end, path, status)."""

    def __init__(self, base: str, cookie: str, threads: int = 4):
        self.base = base
        self.cookie = cookie
        self.results: list[tuple[float, float, str, int | str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, offset: int) -> None:
        index = offset
        while not self._stop.is_set():
            path = PAGES[index % len(PAGES)]
            index += 1
            started = time.monotonic()
            status = _get(self.base, path, self.cookie)
            with self._lock:
                self.results.append((started, time.monotonic(), path, status))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def since(self, moment: float) -> list[tuple[float, float, str, int | str]]:
        with self._lock:
            return [row for row in self.results if row[0] >= moment]


def _burst(base: str, cookie: str, threads: int = 8) -> list[tuple[str, int | str]]:
    """Every page, from several threads at once: more requests than workers, so each
    worker serves some."""
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def run():
        barrier.wait()
        for path in PAGES:
            status = _get(base, path, cookie)
            with lock:
                results.append((path, status))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return results


def _manage(env: dict, *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"


def _wait_until(condition, timeout: float, what: str) -> float:
    """Poll until ``condition()``; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail(f"{what} within {timeout} s")


def _all_normal(base: str, cookie: str, normal: dict[str, int | str]) -> bool:
    return all(_get(base, path, cookie) == normal[path] for path in PAGES)


def _assert_no_errors_after(load: _Load, moment: float, normal: dict, when: str) -> None:
    # Every request that started once PostgreSQL accepted connections again (pg_ctl -w
    # returned): none may fail, not even the first one on a worker's old connection.
    late = load.since(moment)
    assert late, f"no request was made {when}"
    errors = [(path, status) for _, _, path, status in late if status == 500]
    assert not errors, f"{len(errors)} requests answered 500 {when}: {errors[:5]}"
    wrong = [(path, status) for _, _, path, status in late if status != normal[path]]
    assert not wrong, f"{len(wrong)} requests answered other than normally {when}: {wrong[:5]}"


def test_a_postgresql_restart_under_load_ends_with_no_server_error():
    bin_dir = _pg_bin()
    require(bin_dir is not None, "no PostgreSQL server binaries (initdb) in /usr/lib/postgresql")
    prefix = _as_postgres()
    require(
        prefix is not None,
        "running as root, and cannot run PostgreSQL as the 'postgres' user (runuser)",
    )
    require(shutil.which("gunicorn", path=str(ROOT / ".venv/bin")) is not None, "no gunicorn")

    folder = Path(tempfile.mkdtemp(prefix="upturn-pgfault-"))
    postgres = _OwnPostgres(bin_dir, prefix, folder)
    web = None
    web_log = None
    try:
        postgres.init()
        postgres.start()
        postgres.createdb("upturn")

        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "REDIS_URL",
                "CELERY_BROKER_URL",
                "CELERY_RESULT_BACKEND",
                "DATABASE_APP_ROLE",
                "DJANGO_SETTINGS_MODULE",
            }
        }
        web_port = _free_port()
        env.update(
            DATABASE_URL=postgres.url("upturn"),
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="true",
            PATH=f"{ROOT / '.venv/bin'}:{env.get('PATH', '')}",
            BIND=f"127.0.0.1:{web_port}",
            WEB_CONCURRENCY="2",
        )
        _manage(env, "migrate", "-v0")
        _manage(
            env,
            "shell",
            "-c",
            "from accounts.models import User\n"
            "from allauth.account.models import EmailAddress\n"
            f"user = User.objects.create_user({EMAIL!r}, {PASSWORD!r})\n"
            "EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)",
        )

        web_log = (folder / "web.log").open("w")
        web = subprocess.Popen(  # noqa: S603 - a fixed command line
            [str(ROOT / "bin/web")],
            cwd=ROOT,
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{web_port}"
        _wait_until(lambda: _get(base, "/healthz/live") == 200, 30, "gunicorn did not answer")
        cookie = _sign_in(base)
        normal = {path: _get(base, path, cookie) for path in PAGES}
        assert normal["/healthz/live"] == 200 and normal["/healthz"] == 200, normal
        assert normal["/accounts/login/"] in {200, 302}, normal
        assert normal["/"] in {200, 302}, normal  # the signed-in home page, or where it sends

        with _Load(base, cookie) as load:
            time.sleep(0.5)  # every worker holds a persistent connection by now

            # 1. Down: a fast shutdown ends every connection, including those in use.
            postgres.stop("fast")
            down = time.monotonic()
            time.sleep(0.3)
            during = [(_get(base, "/healthz"), _get(base, "/healthz/live")) for _ in range(4)]
            assert all(pair == (503, 200) for pair in during), during
            time.sleep(max(0.0, down + 2 - time.monotonic()))

            # 2. Back: pages answer normally at once.
            postgres.start()
            back = time.monotonic()
            recovery = _wait_until(
                lambda: _all_normal(base, cookie, normal), RECOVERY_SECONDS, "pages answered"
            )
            time.sleep(1)
            _assert_no_errors_after(load, back, normal, "after PostgreSQL came back")

            # 3. pg_ctl restart -m fast, with requests in flight.
            before_restart = time.monotonic()
            postgres.restart()
            restarted = time.monotonic()
            _wait_until(
                lambda: _all_normal(base, cookie, normal), RECOVERY_SECONDS, "pages answered"
            )
            time.sleep(1)
            _assert_no_errors_after(load, restarted, normal, "after pg_ctl restart")
            in_restart = [r for r in load.since(before_restart) if r[0] < restarted]

        outage = [row for row in load.results if down <= row[0] < back]
        outage_statuses = sorted({f"{path} {status}" for _, _, path, status in outage})

        # 4. A quiet restart: no request in flight, so no worker finds out its connection
        # died before the next request tries to use it. Without CONN_HEALTH_CHECKS, the
        # first request on each worker's old connection would answer 500.
        assert _all_normal(base, cookie, normal)  # each worker holds a connection again
        postgres.restart()
        burst = _burst(base, cookie)
        wrong = [(path, status) for path, status in burst if status != normal[path]]
        assert not wrong, f"after a quiet restart: {wrong}"

        print(  # shown with -s: the figure README quotes
            f"\nrecovery after start: {recovery:.2f} s; "
            f"requests: {len(load.results)} under load, {len(outage)} during the outage "
            f"({outage_statuses}), {len(in_restart)} during pg_ctl restart "
            f"({sum(1 for r in in_restart if r[3] == 500)} of them 500)"
        )
    finally:
        if web is not None:
            try:
                os.killpg(web.pid, 15)
                web.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(web.pid, 9)
                web.wait(timeout=5)
        if web_log is not None:
            web_log.close()
        if postgres.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                postgres.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
