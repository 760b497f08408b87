"""Templates ask a model (or its enum, or a row) a question with a name, such as
``pair.is_active`` or ``invitation.is_pending``; they never compare a status, state,
kind, role, type, source or visibility to a string literal (issue 15). A value renamed in
a ``TextChoices`` turns ``{% if pair.status == "actve" %}`` silently false, and nothing
fails; a predicate that is misspelt or gone fails here and in the model's own tests.

The scan reads every template of the project's own directories (``DIRS`` and the apps'
``templates/`` folders, not third-party packages')."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.template_dirs import project_template_dirs

# An attribute (or a bare variable) named like a choice: status, state, kind, role, type,
# source, visibility, or ending in _status, _state, _kind or _role (``ended_by_role``).
CHOICE_NAME = re.compile(r"(?:^|_)(?:status|state|kind|role)$|^(?:type|source|visibility)$")
_VARIABLE = r"[A-Za-z_][\w.]*(?:\|[\w]+(?::(?:\"[^\"]*\"|'[^']*'|[\w.]+))?)*"
_LITERAL = r"\"[^\"]*\"|'[^']*'"
_OPERATOR = r"==|!=|\bnot\s+in\b|\bin\b"
COMPARISON = re.compile(
    rf"(?P<left>{_VARIABLE}|{_LITERAL})\s*(?:{_OPERATOR})\s*(?P<right>{_VARIABLE}|{_LITERAL})"
)
TAG = re.compile(r"\{%.*?%\}", re.DOTALL)

# (template, variable) pairs that compare something that is not one of our choices.
ALLOWED = {
    # allauth's form element: attrs.type is the HTML input's type ("checkbox", "radio").
    ("allauth/elements/field.html", "attrs.type"),
}


def _is_literal(operand: str) -> bool:
    return operand[0] in "\"'"


def choice_comparisons(text: str) -> list[tuple[int, str, str]]:
    """(line, variable, the comparison) for each comparison in ``text``'s template tags
    of a choice-named variable with a string literal."""
    found = []
    for tag in TAG.finditer(text):
        for comparison in COMPARISON.finditer(tag.group()):
            left, right = comparison.group("left"), comparison.group("right")
            if _is_literal(left) == _is_literal(right):
                continue
            variable = right if _is_literal(left) else left
            name = variable.split("|")[0].rsplit(".", 1)[-1]
            if CHOICE_NAME.search(name):
                line = text.count("\n", 0, tag.start() + comparison.start()) + 1
                found.append((line, variable.split("|")[0], comparison.group()))
    return found


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        for line, variable, comparison in choice_comparisons(path.read_text(encoding="utf-8")):
            if (name, variable) not in ALLOWED:
                found.append(f"{name}:{line}: {comparison}")
    return found


def test_the_scan_reads_the_project_templates():
    dirs = project_template_dirs()
    assert Path(settings.BASE_DIR).resolve() / "templates" in dirs
    assert any((d / "sessions" / "pair.html").is_file() for d in dirs)


def test_no_template_compares_a_status_kind_or_role_to_a_string():
    found = [v for root in project_template_dirs() for v in violations(root)]
    assert not found, (
        "Compare with a predicate on the model or its enum (pair.is_active), "
        "not a string literal:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "template",
    [
        '{% if pair.status == "active" %}',
        "{% elif session.state != 'cancelled' %}",
        '{% if item.kind == "teach" %}',
        '{% if participant.role == "mentor" %}',
        '{% if q.type == "nps" or q.type == "text" %}',
        '{% if person.source == "self_nominated" %}',
        "{% if note.visibility == 'private' %}",
        '{% elif pair.ended_by_role == "mentee" %}',
        '{% if "active" == pair.status %}',
        '{% if pair.status in "active ended" %}',
        '{% if pair.status|lower == "active" %}',
        '{% if kind == "invited" %}',
        '{% if run and\n   run.status == "draft" %}',
    ],
)
def test_the_scan_flags_a_choice_compared_to_a_string(template):
    assert choice_comparisons(template)


@pytest.mark.parametrize(
    "template",
    [
        "{% if pair.is_active %}",
        "{% if not program.matching_open %}",
        "{% if status.is_draft %}",
        '{% if field.widget_type == "checkbox" %}',
        "{% if message.level_tag == 'error' %}",
        '{% if tile.measure.key == "nps" %}',
        "{% if cadence == status %}",
        '{{ pair.status }} == "active"',
    ],
)
def test_the_scan_leaves_other_comparisons_alone(template):
    assert not choice_comparisons(template)
