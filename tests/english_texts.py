"""The product's English texts a shipped language writes otherwise (issue 22): what the
browser sweep in each language and the email tests look for, whole, in what a person in
that language reads."""

import re
from functools import cache
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"

# Texts written once and kept as written, in the language of their moment: the survey
# template library and training defaults, created in the organisation's language (Acme's
# is English), so their English on a page is content, as a program's name is; and the
# notifications, written in the recipient's language when they happened (the demo's were
# written before the sweep changed the person's language).
_CONTENT = {"programs/defaults.py", "surveys/library.py"}
# The default ground rules a new program starts with (programs.models.DEFAULT_GROUND_RULES):
# the program's own text from then on, which its managers edit.
_CONTENT_TEXTS = ("What we say in our sessions stays between us",)
_WRITTEN_ONCE = {
    "matching/notices.py",
    "sessions/partner_news.py",
    "sessions/conversation.py",
    "sessions/reminders.py",
    "surveys/notices.py",
}


def _entries(language: str, *, pages: bool):
    """The catalogue's translated entries, less those a page shows as written (``pages``:
    also the notifications' texts, written once in their moment's language)."""
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue.translated_entries():
        files = {path for path, _line in entry.occurrences}
        if files & _CONTENT or entry.msgid.startswith(_CONTENT_TEXTS):
            continue
        if pages and files and files <= _WRITTEN_ONCE:
            continue
        translations = set(entry.msgstr_plural.values()) if entry.msgid_plural else {entry.msgstr}
        yield entry, {" ".join(t.split()) for t in translations}


@cache
def english_msgids(language: str) -> frozenset[str]:
    """The catalogue's English texts that ``language`` writes differently: each msgid
    (and plural msgid) whose translation is not the same words."""
    english, written = set(), set()
    for entry, translations in _entries(language, pages=True):
        written |= translations
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            # A format with placeholders never appears whole on a page; markup neither.
            if "%(" in msgid or re.search(r"%[sd]|<\w", msgid):
                continue
            text = " ".join(msgid.split())
            if text not in translations:
                english.add(text)
    # The same word can be the language's own in another context: French writes an API
    # key "Active" (feminine) where a status is "Actif".
    return frozenset(english - written)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


@cache
def english_sentences(language: str) -> re.Pattern:
    """One pattern matching, whole, any English sentence of the catalogue (placeholders
    filled with anything) that ``language`` writes otherwise: for an email's lines,
    where most sentences carry a name or a date."""
    patterns = set()
    for entry, translations in _entries(language, pages=False):
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            text = " ".join(msgid.split())
            literal = _PLACEHOLDER.sub(" ", text)
            # Only sentences with words of their own: "%(name)s" alone matches anything.
            if text in translations or "<" in text or not re.search(r"[A-Za-z]{3,}", literal):
                continue
            # Its own words must show it is English: "%(when)s, %(n)s minutes." is
            # French as well.
            translated_words = set(re.findall(r"\w{3,}", " ".join(translations).lower()))
            if not set(re.findall(r"[a-z]{3,}", literal.lower())) - translated_words:
                continue
            parts = _PLACEHOLDER.split(text)
            patterns.add(".+?".join(re.escape(part) for part in parts))
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)))
