"""The content security policy (config/settings.py): on every response, strict where it
matters (no inline script, no eval, no framing), and nothing in the templates or in the
HTML the code writes that would need it loosened."""

import ast
import re
from pathlib import Path

import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APPS = [
    "accounts",
    "config",
    "organizations",
    "programs",
    "matching",
    "sessions",
    "surveys",
    "reports",
]
DEMO_PASSWORD = "upturn-demo"
DEMO_ROLES = ["admin", "manager", "mentor", "mentee", "exec"]
DEMO_API_KEY = "upturn_acme_demo-key-for-trying-the-api"

# --- Reading a policy and a page ----------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _assert_strict(response, *, images=("'self'",)) -> dict[str, list[str]]:
    path = response.request["PATH_INFO"]
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"], path
    assert policy["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"], path
    assert policy["form-action"] == ["'self'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["img-src"] == list(images), path
    styles = policy["style-src"]
    assert styles[0] == "'self'" and "'unsafe-inline'" not in styles, path
    assert all(source.startswith("'nonce-") for source in styles[1:]), path
    assert not any("unsafe" in source for sources in policy.values() for source in sources)
    return policy


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.I)
_STYLE_ELEMENT = re.compile(r"<style\b([^>]*)>", re.I)
# An attribute inside a tag: style=, an event handler such as onclick=, htmx's hx-on.
_ATTRIBUTE = re.compile(
    r"<[a-zA-Z][^<>]*?\s(?P<name>style|on[a-z]+|hx-on[:-][\w:-]*|data-hx-on[:-][\w:-]*)\s*=",
    re.I,
)
_JAVASCRIPT_URL = re.compile(r"""\b(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _inline_code(html: str, *, nonce: str | None = None) -> list[tuple[int, str]]:
    """(line, what) for each piece of markup that the policy would block, or that would
    need it loosened: an inline script, an event handler or style attribute, a
    javascript: address, a <style> without this response's nonce."""
    found = []

    def line_of(offset: int) -> int:
        return html.count("\n", 0, offset) + 1

    for match in _SCRIPT.finditer(html):
        attributes, body = match.group(1), match.group(2)
        if body.strip() and not _DATA_BLOCK.search(attributes):
            found.append((line_of(match.start()), "an inline <script>"))
    for match in _STYLE_ELEMENT.finditer(html):
        given = re.search(r"""\bnonce\s*=\s*["']([^"']*)["']""", match.group(1))
        if not given or (nonce is not None and given.group(1) != nonce):
            found.append((line_of(match.start()), "a <style> element without the nonce"))
    for match in _ATTRIBUTE.finditer(html):
        found.append((line_of(match.start("name")), f"a {match.group('name')}= attribute"))
    for match in _JAVASCRIPT_URL.finditer(html):
        found.append((line_of(match.start()), "a javascript: address"))
    return found


def _assert_no_inline_code(response) -> None:
    nonces = [s for s in _policy(response)["style-src"] if s.startswith("'nonce-")]
    nonce = nonces[0][len("'nonce-") : -1] if nonces else None
    html = response.content.decode()
    problems = _inline_code(html, nonce=nonce)
    path = response.request["PATH_INFO"]
    assert not problems, f"{path}: " + "; ".join(f"line {n}: {what}" for n, what in problems)


# --- The header on every kind of response -------------------------------------------------


@pytest.fixture
def demo(demo_module):
    """The demo as `make run` has it (less the reports' months of history), in place for
    the rest of the module."""


def test_each_demo_roles_overview_carries_the_strict_policy_and_no_inline_code(client, demo):
    for role in DEMO_ROLES:
        client.logout()
        assert client.login(username=f"{role}@acme.example", password=DEMO_PASSWORD), role

        response = client.get("/o/acme/")

        assert response.status_code == 200, role
        policy = _assert_strict(response)
        _assert_no_inline_code(response)
        # The organisation's colours are the one inline <style>, with this response's nonce.
        nonce = policy["style-src"][1][len("'nonce-") : -1]
        assert f'<style nonce="{nonce}">:root {{ --org-colour:' in response.content.decode()


def test_the_executive_dashboard_draws_its_charts_without_inline_styles(client, demo):
    client.login(username="exec@acme.example", password=DEMO_PASSWORD)

    response = client.get("/o/acme/reports/")

    assert response.status_code == 200
    _assert_strict(response)
    _assert_no_inline_code(response)


def test_the_json_api_answers_with_the_policy_too(client, demo):
    listed = client.get("/api/v1/departments/", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")
    refused = client.get("/api/v1/departments/")

    assert listed.status_code == 200 and listed["Content-Type"] == "application/json"
    assert refused.status_code == 401
    _assert_strict(listed)
    _assert_strict(refused)


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/", "/admin/login/"],
)
def test_sign_in_pages_carry_the_strict_policy_and_no_inline_code(client, path):
    response = client.get(path, follow=True)

    assert response.status_code == 200
    _assert_strict(response)
    _assert_no_inline_code(response)


def test_two_factor_set_up_draws_its_qr_code_inline_not_as_a_data_image(client):
    from tests.accounts.factories import PASSWORD

    person = UserFactory()
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 200
    _assert_strict(response)  # no data: images
    _assert_no_inline_code(response)
    assert "<svg" in response.content.decode() and "<?xml" not in response.content.decode()


def test_the_api_docs_load_swagger_ui_as_files_and_allow_only_its_data_images(client):
    page = client.get("/api/v1/docs/")
    html = page.content.decode()
    script_url = re.search(r'<script src="(/api/v1/docs/\?[^"]*script[^"]*)"', html)

    assert page.status_code == 200
    _assert_strict(page, images=("'self'", "data:"))  # Swagger UI's stylesheet icons
    _assert_no_inline_code(page)
    assert script_url, "Swagger UI's start-up script is a request of its own"
    script = client.get(script_url.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_schema_and_the_health_probe_carry_the_policy(client):
    _assert_strict(client.get("/api/v1/schema/"))
    _assert_strict(client.get("/healthz"))


def test_error_pages_carry_the_strict_policy_and_no_inline_code(client, settings):
    # As in production: django-csp leaves DEBUG's own 404 and 500 pages without a policy.
    settings.DEBUG = False
    from django.test import Client

    for response in (
        client.get("/no/such/page/"),
        Client(enforce_csrf_checks=True).post("/accounts/login/"),  # the expired-form page
    ):
        assert response.status_code in (403, 404)
        _assert_strict(response)
        _assert_no_inline_code(response)
    _assert_strict(client.get("/api/v1/no/such/address/"))  # the API's JSON 404


# --- Nothing in the templates or the code that the policy would block ---------------------


def _is_email(template: Path) -> bool:
    """Emails are read in mail programs, not under the app's policy, and many of those
    honour only inline styles."""
    return "email" in template.relative_to(TEMPLATES).parts[:-1]


_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)


def _without_comments(source: str) -> str:
    """The template with its comments blanked (their lines kept, for line numbers)."""
    return _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), source)


def test_templates_have_no_inline_script_event_handlers_or_style_attributes():
    problems = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if _is_email(template):
            continue
        for line, what in _inline_code(_without_comments(template.read_text())):
            problems.append(f"{template.relative_to(ROOT)}:{line}: {what}")

    assert not problems, (
        "The content security policy blocks these; move them into static/css/upturn.css or "
        "a file under static/js/ (a computed size can be an SVG attribute):\n" + "\n".join(problems)
    )


_EVENT_HANDLERS = {
    "onblur", "onchange", "onclick", "ondblclick", "onerror", "onfocus", "oninput",
    "onkeydown", "onkeypress", "onkeyup", "onload", "onmousedown", "onmouseout",
    "onmouseover", "onmouseup", "onreset", "onselect", "onsubmit", "ontoggle",
}  # fmt: skip


def test_the_code_writes_no_inline_script_event_handlers_or_style_attributes():
    """HTML the code writes (widgets' attrs, format_html, SVG) follows the templates' rule."""
    problems = []
    for app in APPS:
        for module in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in module.parts:
                continue
            for node in ast.walk(ast.parse(module.read_text())):
                where = f"{module.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    problems += [f"{where}: {what}" for _, what in _inline_code(node.value)]
                elif isinstance(node, ast.Dict):  # a widget's attrs={"style": ...}
                    problems += [
                        f"{where}: a {key.value}= attribute"
                        for key in node.keys
                        if isinstance(key, ast.Constant)
                        and (key.value == "style" or key.value in _EVENT_HANDLERS)
                    ]

    assert not problems, "\n".join(problems)
