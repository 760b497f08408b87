"""Figures shared by the organisation tests."""

# An admin and program manager's overview with three running programs, whatever their
# number of pairs, cohorts and people: the session and membership, the page's nine own
# reads, and pair_activity's six per program (sessions, changes, reflections, goals, the
# pairs, and their conversations' last message, which counts as contact; on PostgreSQL,
# also the few statements that set the organisation for row-level security). SQLite
# needs 36.
PM_MAX_QUERIES = 42
