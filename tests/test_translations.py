"""The shipped translations are whole: every msgid of the product's catalogue has a
translation in each shipped language, none is fuzzy, each keeps its placeholders, and the
compiled catalogue (.mo, which Django reads) says what the .po says.

`make messages` refreshes the catalogues from the code; this test then names every
string still to translate."""

import gettext
import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# %(name)s, %s, %d, %% and {name} / {0}: what msgid and msgstr must share.
# As the Makefile's `messages` target: what is not the product's own text.
MAKEMESSAGES_IGNORE = [
    ".venv/*",
    "tests/*",
    "benchmarks/*",
    "var/*",
    "staticfiles/*",
    "test-artifacts/*",
]
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdifr]|%%|\{[A-Za-z0-9_.]*\}")


def _catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _problems(code: str) -> list[str]:
    problems = []
    for entry in _catalogue(code):
        if entry.obsolete:
            continue
        where = f"{code}: {entry.msgid[:70]!r} ({', '.join(f for f, _ in entry.occurrences[:2])})"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        translations = (
            [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            if entry.msgid_plural
            else [entry.msgstr]
        )
        if not all(t.strip() for t in translations):
            problems.append(f"{where}: not translated")
            continue
        if entry.msgid_plural:
            # Each form names only what the English has; the last form (the plural) all
            # of it. A singular may say "one" instead of its number, and French's
            # singular, which also covers 0, may keep it.
            known = set(_placeholders(entry.msgid) + _placeholders(entry.msgid_plural))
            unknown = [p for t in translations for p in _placeholders(t) if p not in known]
            lost = set(_placeholders(entry.msgid_plural)) - set(_placeholders(translations[-1]))
            if unknown or lost:
                problems.append(f"{where}: placeholders unknown {unknown}, lost {sorted(lost)}")
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            problems.append(
                f"{where}: placeholders {_placeholders(entry.msgstr)} "
                f"instead of {_placeholders(entry.msgid)}"
            )
    return problems


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_is_translated_without_fuzzy_or_broken_placeholders(code):
    problems = _problems(code)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def _compiled_differs(compiled: gettext.GNUTranslations, entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        # One and five: the singular and plural forms in every shipped language.
        return [
            compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if entry.msgctxt
            else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            for n in (1, 5)
        ] != [entry.msgstr_plural[0], entry.msgstr_plural[1]]
    if entry.msgctxt:
        return compiled.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr
    return compiled.gettext(entry.msgid) != entry.msgstr


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_says_what_the_po_file_says(code):
    with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = [
        entry.msgid[:70]
        for entry in _catalogue(code)
        if entry.translated() and _compiled_differs(compiled, entry)
    ]
    assert not stale, f"run make messages (or compilemessages): {stale[:20]}"


def test_the_catalogue_holds_the_products_own_strings():
    """The check means something only if the catalogue is the product's: a few strings
    from different apps' code and templates are in it."""
    msgids = {entry.msgid for entry in _catalogue(SHIPPED[0])}
    for expected in ["Sign out", "Notification settings", "Language"]:
        assert expected in msgids


@pytest.mark.skipif(
    not shutil.which("xgettext") and not os.environ.get("CI"),
    reason="needs GNU gettext (Debian: gettext) to read the strings out of the code",
)
def test_the_catalogues_hold_every_string_of_the_code(tmp_path, monkeypatch):
    """A string added to the code but not to the catalogues would show in English to
    everyone: extract the code's strings afresh (as `make messages` does) and compare."""
    # makemessages writes into a ./locale it finds, so it reads the code through links
    # from a scratch folder that has none, and writes into another.
    source = tmp_path / "source"
    source.mkdir()
    for child in Path(settings.BASE_DIR).iterdir():
        if child.name != "locale" and not child.name.startswith("."):
            (source / child.name).symlink_to(child)
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[tmp_path / "out"]):
        (tmp_path / "out").mkdir()
        call_command(
            "makemessages",
            locale=[SHIPPED[0]],
            ignore_patterns=MAKEMESSAGES_IGNORE,
            symlinks=True,
            no_location=True,
            verbosity=0,
        )
    fresh = _keys(polib.pofile(str(tmp_path / "out" / SHIPPED[0] / "LC_MESSAGES" / "django.po")))
    for code in SHIPPED:
        missing = sorted(fresh - _keys(_catalogue(code)))
        assert not missing, f"{code}: run make messages, then translate: {missing[:20]}"


def _keys(catalogue: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in catalogue if not entry.obsolete}
