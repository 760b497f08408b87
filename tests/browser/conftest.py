import io

import pytest
from django.core.management import call_command

# Chromium logs each violation of the content security policy to the console itself;
# the page's own securitypolicyviolation event adds where it happened (the directive,
# what was blocked, the script and line), for the failure message.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `Content Security Policy violation: ${event.effectiveDirective} blocked ` +
    `${event.blockedURI || "an inline resource"} on ${event.documentURI} ` +
    `(${event.sourceFile || "the page"}:${event.lineNumber}) ${event.sample}`
  );
}, true);
"""


@pytest.fixture(autouse=True)
def csp_violations(chromium, monkeypatch):
    """Every browser journey fails if any page broke the content security policy
    (config/settings.py): a blocked script, style, image or form post is a broken page,
    whether or not the journey's own assertions noticed. Each tab the test opens, through
    ``browser_page`` or ``chromium.new_context`` directly, reports to this list."""
    violations: list[str] = []
    contexts = []
    new_context = chromium.new_context

    def _record(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", _record)
        contexts.append(context)
        return context

    monkeypatch.setattr(chromium, "new_context", watched_new_context)
    yield violations
    for context in contexts:
        context.close()  # delivers console messages still on their way; no-op if closed
    if violations:
        pytest.fail(
            "The page broke the content security policy:\n"
            + "\n".join(f"- {text}" for text in dict.fromkeys(violations)),
            pytrace=False,
        )


@pytest.fixture
def demo_data(request, monkeypatch, seed_demo_once):
    """The demo organisations, people, rosters, programs and matching, as `make run` has
    them, less the pilot's session and survey history, which no journey here reads. The
    reports' history is left out for every test but those marked ``reports_demo``
    (tests/conftest.py). Seeded once per test run, then copied back for each journey
    (tests/demo_snapshot.py)."""
    monkeypatch.setattr("demo.sessions.seed_sessions_demo", lambda organization: None)
    monkeypatch.setattr("demo.surveys.seed_surveys_demo", lambda organization: None)
    with_reports = request.node.get_closest_marker("reports_demo") is not None
    seed_demo_once(
        "without-history" + ("-with-reports" if with_reports else ""),
        lambda: call_command("seed_demo", stdout=io.StringIO()),
    )
