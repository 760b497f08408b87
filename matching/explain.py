"""Plain words for why two people were paired, and why someone was not."""

import functools

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import engine
from matching.availability import utc_hours

CONSTRAINT_WORDS = {
    # constraint -> (for a mentee, for a mentor): how many partners it rules out
    "reporting_line": lambda n: ngettext(
        "%(n)s is in their reporting line", "%(n)s are in their reporting line", n
    ),
    "language": lambda n: ngettext(
        "%(n)s shares no language with them", "%(n)s share no language with them", n
    ),
    "direction": lambda n: ngettext(
        "%(n)s is at a level the program's direction rules out",
        "%(n)s are at a level the program's direction rules out",
        n,
    ),
    "ended_before": lambda n: ngettext(
        "%(n)s was their partner before", "%(n)s were their partners before", n
    ),
}


def _first(name: str) -> str:
    return name.split()[0] if name else name


def _shared_first_names(problem: "engine.Problem") -> frozenset[str]:
    """First names (folded) that more than one person of the cohort has: they are told
    apart by full name, as a manager reading two Toms' explanations needs."""
    seen: set[str] = set()
    shared: set[str] = set()
    for person in (*problem.mentors, *problem.mentees):
        first = _first(person.name).casefold()
        (shared if first in seen else seen).add(first)
    return frozenset(shared)


def _namer(problem: "engine.Problem"):
    shared = _shared_first_names(problem)
    return lambda person: (
        person.name if _first(person.name).casefold() in shared else _first(person.name)
    )


class PairExplainer:
    """Explains pairs of one problem: a run's pairs, or the suggestions one mentee sees.
    What is the same for every pair is done once: which first names need a full name,
    each person's name and free hours, and the sentences' translation, in the language
    active when it is made (a run is explained in one language); a sentence with a
    number is translated once per number, since languages differ in their plurals."""

    def __init__(self, problem: "engine.Problem"):
        self.problem = problem
        self._language = translation.get_language()
        # Each person's name and free hours once, however many pairs they are in.
        self._named = functools.cache(_namer(problem))
        self._free_hours = functools.cache(_free_hours)
        self._most_wants = _(
            "%(mentor)s teaches %(topic)s at %(level)s of 5, which %(mentee)s most wants to learn"
        )
        self._wants = _(
            "%(mentor)s teaches %(topic)s at %(level)s of 5, which %(mentee)s wants to learn"
        )
        self._a_topic = _("a topic")
        self._in_return = _("in return %(mentee)s teaches %(topic)s")
        self._departments = _("different departments (%(a)s and %(b)s)")
        self._no_time = _("no free time in common yet: they will need to agree a time")
        self._asked = _("one of them asked for the other")
        self._avoided = _("one of them would rather not have been paired with the other")
        self._languages = _("both speak %(languages)s")
        self._senior = self._per_number(
            lambda n: ngettext(
                "%(name)s is %(n)s level more senior", "%(name)s is %(n)s levels more senior", n
            )
        )
        self._same_zone = self._per_number(
            lambda n: ngettext(
                "both work in %(zone)s time and share %(n)s free hour a week",
                "both work in %(zone)s time and share %(n)s free hours a week",
                n,
            )
        )
        self._across_zones = self._per_number(
            lambda n: ngettext(
                "%(n)s free hour a week in common across time zones",
                "%(n)s free hours a week in common across time zones",
                n,
            )
        )

    def _per_number(self, translate):
        """``translate(n)`` once per number, in the explainer's language."""
        language = self._language

        @functools.cache
        def translated(n: int) -> str:
            with translation.override(language):
                return translate(n)

        return translated

    def __call__(self, mentor: "engine.Person", mentee: "engine.Person", components: dict) -> str:
        """A sentence or three built from the pair's strongest reasons, for example "Priya
        teaches Generative AI tools at 4 of 5, which Tom most wants to learn; different
        departments; both keep Tuesday mornings free"."""
        reasons = []
        named, names = self._named, self.problem.topic_names
        topic = _best_topic(mentor.teaches, mentee.learns)
        if topic is not None:
            wish = mentee.learns[topic]
            sentence = self._most_wants if wish == max(mentee.learns.values()) else self._wants
            reasons.append(
                sentence
                % {
                    "mentor": named(mentor),
                    "topic": names.get(topic, self._a_topic),
                    "level": mentor.teaches[topic],
                    "mentee": named(mentee),
                }
            )
        if self.problem.direction == engine.MUTUAL:
            back = _best_topic(mentee.teaches, mentor.learns)
            if back is not None:
                reasons.append(
                    self._in_return
                    % {"mentee": named(mentee), "topic": names.get(back, self._a_topic)}
                )
        if components.get("cross_department", 0) >= 1:
            reasons.append(self._departments % {"a": mentor.department, "b": mentee.department})
        if mentor.level is not None and mentee.level is not None and mentor.level != mentee.level:
            gap = abs(mentee.level - mentor.level)
            senior = mentee if mentee.level > mentor.level else mentor
            reasons.append(self._senior(gap) % {"name": named(senior), "n": gap})
        shared = len(self._free_hours(mentor) & self._free_hours(mentee))
        if mentor.time_zone == mentee.time_zone and shared:
            reasons.append(
                self._same_zone(shared) % {"zone": mentor.time_zone.replace("_", " "), "n": shared}
            )
        elif shared:
            reasons.append(self._across_zones(shared) % {"n": shared})
        else:
            reasons.append(self._no_time)
        if components.get("preferences", 0.5) >= 1:
            reasons.append(self._asked)
        elif components.get("preferences", 0.5) <= 0:
            reasons.append(self._avoided)
        common = sorted(mentor.languages & mentee.languages)
        if common and common != ["english"]:
            reasons.append(self._languages % {"languages": ", ".join(x.title() for x in common)})
        text = "; ".join(reasons)
        return text[:1].upper() + text[1:] + "."


def _best_topic(teaches, learns):
    """The topic that adds most to the fit: the teacher's level times the learner's wish."""
    options = [(teaches[t] * learns[t], learns[t], -t) for t in learns if t in teaches]
    if not options:
        return None
    return -max(options)[2]


def _free_hours(person: "engine.Person") -> frozenset[int]:
    """The hours of the UTC week a person keeps free."""
    return frozenset().union(*(utc_hours(s, person.time_zone) for s in person.availability))


def unplaced_reason(f: "engine.Features", allowed: np.ndarray, role: str, index: int) -> str:
    """Why a person was left without a partner: nobody could be their partner (and what
    ruled each out), or everyone who could was needed elsewhere."""
    if role == "mentee":
        possible = int(allowed[index].sum()) if f.m else 0
        others, rows, cols = f.m, np.full(f.m, index), np.arange(f.m)
    else:
        possible = int(allowed[:, index].sum()) if f.n else 0
        others, rows, cols = f.n, np.arange(f.n), np.full(f.n, index)
    if others == 0:
        return _("Nobody to pair with: the cohort has no approved %(role)s.") % {
            "role": _("mentors") if role == "mentee" else _("mentees")
        }
    if possible:
        if role == "mentee":
            return ngettext(
                "Capacity: the %(n)s mentor who could take them is full.",
                "Capacity: all %(n)s mentors who could take them are full.",
                possible,
            ) % {"n": possible}
        return ngettext(
            "More mentor places than mentees: the %(n)s mentee who fits them "
            "went to a better-scoring pair.",
            "More mentor places than mentees: the %(n)s mentees who fit them "
            "went to better-scoring pairs.",
            possible,
        ) % {"n": possible}
    counts = {
        name: int(np.asarray(check(f, rows, cols)).sum())
        for name, check in engine.CONSTRAINT_FUNCTIONS.items()
    }
    parts = [CONSTRAINT_WORDS[name](n) % {"n": n} for name, n in counts.items() if n]
    return _("No eligible partner among %(n)s: %(why)s.") % {"n": others, "why": ", ".join(parts)}
