"""Matching's components and how much each counts: a program's setting
(``Program.match_weights``), edited with the program's design and read by the matching
engine (matching.engine), which scores each component from 0 to 1."""

from collections.abc import Mapping
from dataclasses import dataclass, fields

COMPONENTS = (
    "topic_fit",
    "cross_department",
    "seniority_gap",
    "availability",
    "preferences",
    "inclusion",
)


@dataclass(frozen=True)
class Weights:
    """How much each component counts; a program may change them (0 switches one off)."""

    topic_fit: float = 5.0
    cross_department: float = 1.5
    seniority_gap: float = 1.0
    availability: float = 2.0
    preferences: float = 1.5
    inclusion: float = 1.0

    @classmethod
    def from_dict(cls, values: Mapping | None) -> "Weights":
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in (values or {}).items() if k in known})

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}
