"""The sweep in each shipped language (issue 22): every page each demo role of Acme
reaches, read by a person whose own language is French, German or Spanish, shows no
English sentence from the product's catalogue, and in German (the longest words) nothing
is wider than a 390 px phone.

A visible text (a text node, an element's innerText, a button's or input's value, a
placeholder, an aria-label, a title) is flagged only when it is, whole, an English msgid
whose translation in that language differs from it: so what people wrote (the demo's
names, program names) is never flagged, and neither is a word that is the same in both
languages ("Mentor" in German). Faster than the accessibility sweep (crawler.py): fewer
pages per role, no axe, no screenshots but the landing page. The tests are in
test_acme.py, beside the accessibility sweep, so both read one seeding of Acme."""

import threading
import time
from collections import deque

from tests.browser.helpers import sign_in
from tests.browser.sweep.crawler import (
    _LINKS,
    _OVERFLOW,
    _TWO_FRAMES,
    WIDTHS,
    Sweep,
    url_pattern,
)
from tests.english_texts import english_msgids

SLUG = "acme"
LANGUAGES = ["fr", "de", "es"]
MAX_PAGES = 12
MAX_DEPTH = 2

_TEXTS = """() => {
    const seen = new Set();
    const add = (text) => {
        text = (text || '').replace(/\\s+/g, ' ').trim();
        if (text) seen.add(text);
    };
    const visible = (e) => e && e.getClientRects().length > 0
        && getComputedStyle(e).visibility !== 'hidden';
    add(document.title);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        const hidden = ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'];
        if (parent && !hidden.includes(parent.tagName) && visible(parent)) add(node.textContent);
    }
    for (const e of document.body.querySelectorAll('*')) {
        if (!visible(e)) continue;
        if (e.innerText && e.innerText.length < 400) add(e.innerText);
        for (const name of ['placeholder', 'aria-label', 'title']) add(e.getAttribute(name));
        // A button's value is what the form sends, not what it shows; an input's is shown.
        if (e.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(e.type)) add(e.value);
    }
    return [...seen];
}"""


def set_language(role: str, language: str) -> None:
    """The demo person's own language, committed: written from a thread of its own (its
    own connection, in autocommit), as the test's connection is inside the test's
    transaction, which the live server's thread does not see."""
    from django.db import connection

    from accounts.models import User

    updated = []

    def update() -> None:
        try:
            updated.append(
                User.objects.filter(email=f"{role}@{SLUG}.example").update(language=language)
            )
        finally:
            connection.close()

    thread = threading.Thread(target=update)
    thread.start()
    thread.join()
    assert updated == [1], updated


def sweep_language(chromium, live_server, *, role: str, language: str, screenshot) -> Sweep:
    sweep = Sweep(base_url=live_server.url, slug=SLUG)
    english = english_msgids(language)
    context = chromium.new_context(base_url=live_server.url, viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and sweep.problems.append(f"{response.status} from {response.url}")
        ),
    )
    sign_in(page, f"{role}@{SLUG}.example", "upturn-demo")
    page.wait_for_url(f"**/o/{SLUG}/**")
    landing = sweep.followed(page.url)
    queue = deque([(landing, 0)])
    seen_urls = {landing}
    patterns: set[str] = set()
    while queue and len(sweep.visited) < MAX_PAGES:
        url, depth = queue.popleft()
        pattern = url_pattern(url)
        if pattern in patterns:
            continue
        patterns.add(pattern)
        page.set_viewport_size(WIDTHS["desktop"])
        started = time.monotonic()
        response = page.goto(url)
        sweep.seconds["load"] += time.monotonic() - started
        sweep.visited.append(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        for href, _in_header in page.evaluate(_LINKS):
            link = sweep.followed(href)
            if link and link not in seen_urls and depth < MAX_DEPTH:
                seen_urls.add(link)
                queue.append((link, depth + 1))
        started = time.monotonic()
        for text in sorted(set(page.evaluate(_TEXTS)) & english):
            sweep.problems.append(f"{url}: English {text!r}")
        sweep.seconds["texts"] += time.monotonic() - started
        if depth == 0:
            screenshot(page, f"sweep/{SLUG}-{role}-{language}/home")
        if language == "de":
            page.set_viewport_size(WIDTHS["phone"])
            page.evaluate(_TWO_FRAMES)
            if overflow := page.evaluate(_OVERFLOW):
                sweep.problems.append(f"{url}: wider than a 390 px screen: {overflow}")
    context.close()
    timings = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in sweep.seconds.items())
    print(f"{language} {role}: {len(sweep.visited)} pages ({timings})", *sweep.visited, sep="\n  ")
    return sweep
