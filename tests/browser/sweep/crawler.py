"""The browser sweep (issue 18): a demo role's every reachable page, crawled from its
signed-in landing page rather than listed by hand, checked at 1366 px and 390 px with
axe-core (no serious or critical violation), for sideways overflow on a phone, for
console errors and for server errors.

To stay fast the crawl visits at most ``PER_PATTERN`` pages per URL pattern (paths that
differ only by ids or tokens, and queries that differ only by values, are one pattern)
and at most ``MAX_PAGES`` pages per role; it follows GET links only, under the
organisation's ``/o/<slug>/`` and the account pages, and never sign-out, downloads or
anything whose name says it changes something.
"""

import os
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.browser.helpers import sign_in

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
ROLES = ["admin", "manager", "mentor", "mentee", "exec"]
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# The admin and the manager reach more than 30 patterns: CI sweeps the first 30 breadth
# first (the pages nearest the landing page); SWEEP_MAX_PAGES=200 sweeps them all.
MAX_PAGES = int(os.environ.get("SWEEP_MAX_PAGES", "30"))
PER_PATTERN = 1
MAX_DEPTH = 3

# Never followed: leaving, files rather than pages, and links named for a change (a GET
# there should only show a confirmation, but the sweep does not count on it).
_SKIPPED = re.compile(
    r"/(logout|sign-?out|delete|remove|revoke|deactivate|reactivate|regenerate|end|cancel"
    r"|withdraw|decline|export|download|ics|calendar\.ics)(/|$)"
    r"|\.(csv|ics|pdf|zip|xlsx|json)$"
)
_SKIPPED_QUERY = re.compile(r"(^|&)(format|export|download)=")
_ID = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{15,})$")

_LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => [
    a.href, !!a.closest('header.site-header')])"""

_OVERFLOW = """() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 1)
        // What a scrolling box (a .table-wrap) holds is its own affair: name the box.
        .filter(e => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                if (getComputedStyle(a).overflowX !== 'visible') return false;
            }
            return true;
        })
        .slice(0, 4)
        .map(e => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} `
            + `${Math.round(e.getBoundingClientRect().right)}px`);
}"""

# After a resize, tables.js re-marks scrolling tables in the next animation frame.
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

# Every rule at 1366 px; at 390 px, only those whose outcome the layout can change (a
# table that starts to scroll, targets that shrink, the phone menu that appears), which
# halves the sweep's time.
_PHONE_RULES = [
    "scrollable-region-focusable",
    "target-size",
    "button-name",
    "link-name",
    "summary-name",
    "list",
    "listitem",
    "aria-allowed-role",
]
_AXE_RUN = """async (rules) => {
    const options = {resultTypes: ['violations']};
    if (rules) options.runOnly = {type: 'rule', values: rules};
    const result = await axe.run(document, options);
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def url_pattern(url: str) -> str:
    """The URL's path with its ids and tokens left out. The query is left out too: a
    filtered or later page of a list is the same template as its first page."""
    return "/".join("{id}" if _ID.match(s) else s for s in urlsplit(url).path.split("/"))


@dataclass
class Sweep:
    base_url: str
    slug: str
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    seconds: Counter = field(default_factory=Counter)

    def followed(self, url: str) -> str | None:
        """The link as the sweep would visit it (no fragment), or None to leave it."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url:
            return None
        if not parts.path.startswith((f"/o/{self.slug}/", "/accounts/")):
            return None
        if _SKIPPED.search(parts.path) or _SKIPPED_QUERY.search(parts.query):
            return None
        query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
        return parts.path + ("?" + query if query else "")


def sweep_role(chromium, live_server, *, slug: str, role: str, screenshot) -> Sweep:
    sweep = Sweep(base_url=live_server.url, slug=slug)
    context = chromium.new_context(base_url=live_server.url, viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    current = {"url": "/"}
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and sweep.problems.append(f"{current['url']}: console error: {message.text}")
        ),
    )
    page.on(
        "pageerror",
        lambda error: sweep.problems.append(f"{current['url']}: script error: {error}"),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and sweep.problems.append(f"{current['url']}: {response.status} from {response.url}")
        ),
    )
    axe_source = AXE.read_text()

    sign_in(page, f"{role}@{slug}.example", "upturn-demo")
    page.wait_for_url(f"**/o/{slug}/**")
    landing = sweep.followed(page.url)
    queue = deque([(landing, 0, True)])
    seen_urls = {landing}
    per_pattern: dict[str, int] = {}
    while queue and len(sweep.visited) < MAX_PAGES:
        url, depth, main = queue.popleft()
        pattern = url_pattern(url)
        if per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        current["url"] = url
        page.set_viewport_size(WIDTHS["desktop"])
        started = time.monotonic()
        response = page.goto(url)
        sweep.seconds["load"] += time.monotonic() - started
        sweep.visited.append(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400:
            sweep.problems.append(f"{url}: answered {response.status} (linked from a page)")
        for href, in_header in page.evaluate(_LINKS):
            link = sweep.followed(href)
            if link and link not in seen_urls and depth < MAX_DEPTH:
                seen_urls.add(link)
                queue.append((link, depth + 1, in_header and depth == 0))
        for width_name, viewport in WIDTHS.items():
            if width_name != "desktop":
                page.set_viewport_size(viewport)
                page.evaluate(_TWO_FRAMES)
                if overflow := page.evaluate(_OVERFLOW):
                    sweep.problems.append(
                        f"{url}: wider than a {viewport['width']} px screen: {overflow}"
                    )
            # Not add_script_tag: the content security policy (script-src 'self', no
            # unsafe-eval) refuses an inline script, rightly; evaluated over the DevTools
            # protocol, axe runs like any page script.
            if not page.evaluate("() => typeof axe !== 'undefined'"):
                page.evaluate(axe_source)
            rules = None if width_name == "desktop" else _PHONE_RULES
            started = time.monotonic()
            violations = page.evaluate(_AXE_RUN, rules)
            sweep.seconds[f"axe {width_name}"] += time.monotonic() - started
            for violation in violations:
                sweep.problems.append(
                    f"{url} at {viewport['width']} px: axe {violation['impact']} "
                    f"{violation['id']} ({violation['help']}): {violation['targets']}"
                )
            if main:
                name = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path.lower()).strip("-")
                started = time.monotonic()
                sweep.screenshots.append(
                    screenshot(page, f"sweep/{slug}-{role}/{name or 'home'}-{width_name}")
                )
                sweep.seconds["screenshots"] += time.monotonic() - started
    context.close()
    # Shown with -s or on failure: where the sweep spent its time.
    timings = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in sweep.seconds.items())
    print(f"{slug} {role}: {len(sweep.visited)} pages ({timings})", *sweep.visited, sep="\n  ")
    return sweep


def assert_clean(sweep: Sweep) -> None:
    assert len(sweep.visited) > 1, sweep.visited
    assert not sweep.problems, (
        f"{len(sweep.problems)} problems on {len(sweep.visited)} pages:\n"
        + "\n".join(dict.fromkeys(sweep.problems))
    )
