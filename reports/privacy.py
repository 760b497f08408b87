"""What a report may show: nothing about fewer people than the threshold, and nothing a
subtraction could bring back.

The threshold is five, or the organisation's higher survey threshold. Within a set of
groups that add up to a shown total, hiding the small groups is not enough: ``hide_small``
keeps hiding the next smallest until what is hidden adds up to the threshold as well.
"""

from surveys.results import min_group

REPORTS_MIN_GROUP = 5


def threshold(organization) -> int:
    """The smallest group a report shows: five, or the organisation's higher threshold."""
    return max(REPORTS_MIN_GROUP, min_group(organization))


def hide_small(counts: dict[str, int], least: int) -> dict[str, bool]:
    """Which groups to hide: every group of 1 to ``least`` - 1, then, while the hidden
    groups together come to fewer than ``least`` (their total is the shown total minus
    the shown groups), the smallest shown group too. An empty group hides nothing."""
    hidden = {name: 0 < count < least for name, count in counts.items()}

    def hidden_total() -> int:
        return sum(count for name, count in counts.items() if hidden[name])

    while 0 < hidden_total() < least:
        shown = sorted(
            (count, name) for name, count in counts.items() if not hidden[name] and count
        )
        if not shown:
            break
        hidden[shown[0][1]] = True
    return hidden
