"""CSV exports open in spreadsheets: a cell that starts like a formula must not run as one."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, quoted with a leading apostrophe when it would start a formula."""
    value = "" if value is None else str(value)
    return f"'{value}" if value[:1] in FORMULA_STARTS else value
