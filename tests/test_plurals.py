"""A number shown next to a noun goes through the translation system's plurals
(``ngettext``, ``{% blocktranslate count %}``), never a fixed plural (issue 18: "1 mentors,
1 mentees considered", "(1 changes)"). The scan reads the project's own templates and
Python modules for a translated text that puts a variable before a plural noun without
choosing the form by that number. A threshold ("fewer than 5 people") is left alone:
it is never one."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.template_dirs import project_template_dirs

NOUNS = (
    "people|persons|mentors|mentees|rows|changes|sessions|pairs|days|hours|minutes|members"
    "|answers|modules|invitations|employees|times|years|months|weeks|reminders|items"
    "|problems|responses|respondents|questions|cohorts|programs|goals|commitments|links"
    "|concerns|places|participants|applications|levels|choices|characters|lines"
)
_NUMBER_BEFORE_NOUN = re.compile(
    rf"(?<!than )(?:\{{\{{ *[\w.|:\"]+ *\}}\}}|%\(\w+\)[sd]) (?:more |new |other )?(?:{NOUNS})\b"
)
BLOCK = re.compile(
    r"\{% blocktrans(?:late)?\b(?P<options>[^%]*)%\}(?P<body>.*?)\{% endblocktrans", re.S
)
GETTEXT = re.compile(r"\b(?:_|gettext|gettext_lazy)\(\s*((?:\"[^\"]*\"\s*)+)\)", re.S)
# Python constants in text, not a count of anything: caps and ranges fixed in code.
ALLOWED_PYTHON = {
    "At most %(count)s choices.",
    "Each choice fits in %(count)s characters.",
    "At most %(limit)s characters; this value has %(count)s.",
    # Only ever raised for a value running over several lines.
    "a quotation mark opens a value that runs over %(lines)s lines and takes ",
}


def fixed_plurals_in_template(text: str) -> list[str]:
    return [
        match.group()
        for block in BLOCK.finditer(text)
        if not re.search(r"(?:^|\s)count\s+\w+=", block.group("options"))
        for match in _NUMBER_BEFORE_NOUN.finditer(block.group("body"))
    ]


def fixed_plurals_in_python(text: str) -> list[str]:
    found = []
    for call in GETTEXT.finditer(text):
        literal = "".join(re.findall(r"\"([^\"]*)\"", call.group(1)))
        if _NUMBER_BEFORE_NOUN.search(literal) and not any(a in literal for a in ALLOWED_PYTHON):
            found.append(literal)
    return found


def _python_modules():
    base = Path(settings.BASE_DIR).resolve()
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(base).parts
        if parts[0] in {".venv", "tests", "demo", "benchmarks", "var"} or "migrations" in parts:
            continue
        yield path


def test_no_template_puts_a_number_before_a_fixed_plural():
    found = [
        f"{path}: {hit}"
        for root in project_template_dirs()
        for path in sorted(p for p in root.rglob("*") if p.is_file())
        for hit in fixed_plurals_in_template(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Use {% blocktranslate count %}:\n" + "\n".join(found)


def test_no_python_text_puts_a_number_before_a_fixed_plural():
    found = [
        f"{path}: {hit}"
        for path in _python_modules()
        for hit in fixed_plurals_in_python(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Use ngettext:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "template",
    [
        "{% blocktranslate with n=run.mentor_count %}{{ n }} mentors considered{% endblocktrans",
        "{% blocktranslate with count=x|add:y %}Apply ({{ count }} changes){% endblocktranslate %}",
    ],
)
def test_the_scan_flags_a_fixed_plural(template):
    assert fixed_plurals_in_template(template)


@pytest.mark.parametrize(
    "template",
    [
        "{% blocktranslate count n=k %}{{ n }} mentor{% plural %}{{ n }} mentors{% endblocktrans",
        "{% blocktranslate with n=t %}Fewer than {{ n }} people answered.{% endblocktranslate %}",
    ],
)
def test_the_scan_passes_a_chosen_plural_and_a_threshold(template):
    assert not fixed_plurals_in_template(template)


def test_the_python_scan_flags_gettext_but_not_ngettext():
    assert fixed_plurals_in_python('_("%(count)s rows are rejected.")')
    assert not fixed_plurals_in_python('ngettext("%(n)s row", "%(n)s rows", n)')
