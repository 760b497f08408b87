"""The dashboard's sections, rendered once and kept in the cache until the snapshots
change (issue 19: of a dashboard request, most of the time went to building and rendering
what only the nightly job changes).

The key names everything the sections depend on, and who may read them:

- the organisation and the scope (the organisation's figures or one program's), the
  period, the reports' threshold, the language;
- the snapshots' generation: when the organisation's snapshots were last written, so a
  new night, a day counted again (today's figures on request, a backfill) or inclusion
  counts forgotten after a withdrawal of consent (which rewrites today's) make a new key
  and the old entry is never read again;
- the labels' version: programs, cohorts and topics renamed, or targets changed, which
  the sections name without the snapshots changing (reports.receivers bumps it);
- the viewer's scope: every program they may read, or all. Two people share an entry
  only if they may read the same things, so an entry built for one can never show
  another what their permissions would not (a manager of one program is never served
  what an executive's request cached, even for that program's page).

The view has checked the permission before anything here runs; the cache keeps no raw
figure, only what the page shows after suppression (reports.publication).
"""

import hashlib
import uuid
from datetime import date

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from reports.dashboard import Dashboard, cohort_columns
from reports.selectors import dashboard_sections_fill

SECTIONS_TEMPLATE = "reports/partials/_sections.html"
# A day and a bit: a new night makes a new key anyway; this only bounds dead entries.
TIMEOUT = 26 * 60 * 60


def _labels_key(organization_id: int) -> str:
    return f"reports:dashboard:{organization_id}:labels"


def labels_changed(organization_id: int) -> None:
    """A name or target the sections show changed: every cached section of the
    organisation is stale."""
    cache.set(_labels_key(organization_id), uuid.uuid4().hex, None)


def viewer_scope(*, whole_organization: bool, program_ids) -> str:
    """Who is looking, as far as the sections go: every program, or these."""
    if whole_organization:
        return "all"
    return "programs:" + ",".join(str(pk) for pk in sorted(program_ids))


def sections_key(
    *, board: Dashboard, latest: dict, labels: str, viewer: str, start: date, end: date
) -> str:
    scope = "organization" if board.program is None else f"program:{board.program.pk}"
    parts = [
        str(board.organization.pk),
        scope,
        start.isoformat(),
        end.isoformat(),
        str(board.threshold),
        translation.get_language() or "",
        latest["generation"].isoformat(),
        labels,
        viewer,
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    # The organisation in clear as well, so an operator can find (and drop) its entries.
    return f"reports:dashboard:{board.organization.pk}:{digest}"


def dashboard_sections(request, *, board: Dashboard, latest: dict, viewer: str) -> SafeString:
    """The rendered sections of ``board`` (from ``dashboard_head``), from the cache or
    built, rendered and cached now."""
    organization_id = board.organization.pk
    labels = cache.get(_labels_key(organization_id))
    if labels is None:
        labels = uuid.uuid4().hex
        cache.add(_labels_key(organization_id), labels, None)
        labels = cache.get(_labels_key(organization_id), labels)
    key = sections_key(
        board=board, latest=latest, labels=labels, viewer=viewer, start=board.start, end=board.end
    )
    html = cache.get(key)
    if html is None:
        dashboard_sections_fill(board, latest)
        html = render_to_string(
            SECTIONS_TEMPLATE,
            {"board": board, "program": board.program, "cohort_columns": cohort_columns()},
            request,
        )
        cache.set(key, str(html), TIMEOUT)
    # Rendered by our own template, with autoescaping: safe as it was when rendered.
    return mark_safe(html)  # noqa: S308
