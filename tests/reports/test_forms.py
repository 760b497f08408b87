"""The dashboard's period form, at the edges of the calendar."""

from datetime import date

import pytest

from reports.forms import DateRangeForm

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("field", ["start", "end"])
def test_the_dashboards_period_refuses_a_day_before_2000_without_overflowing(field):
    form = DateRangeForm({field: "0001-01-01"}, today=TODAY)

    assert form.errors[field] == ["Choose a day from 2000-01-01 on."]
    assert form.period() == (date(2026, 6, 10), TODAY)
