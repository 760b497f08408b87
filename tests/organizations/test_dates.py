"""The one place for the dates people may enter (organizations.dates), on plain values."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from organizations.dates import DayRange, local_moment, pair_range, program_range, years_later

TODAY = date(2026, 12, 7)


def test_a_program_runs_from_2000_to_ten_years_ahead():
    assert program_range(TODAY) == DayRange(date(2000, 1, 1), date(2036, 12, 7))


def test_a_pair_plans_within_its_programs_dates_or_the_next_two_years():
    later_program = pair_range(start_date=date(2027, 1, 1), end_date=date(2029, 6, 30), today=TODAY)
    past_program = pair_range(start_date=date(2024, 1, 1), end_date=date(2024, 6, 30), today=TODAY)
    far_program = pair_range(start_date=date(1, 1, 1), end_date=date(9999, 1, 1), today=TODAY)

    assert later_program == DayRange(TODAY, date(2029, 6, 30))
    assert past_program == DayRange(date(2024, 1, 1), date(2028, 12, 7))
    assert far_program == program_range(TODAY)  # what an old row held is no licence


def test_a_refusal_names_what_it_refuses_and_the_range():
    with pytest.raises(ValidationError) as refused:
        program_range(TODAY).check(date(9999, 12, 31), what="The end date")

    assert refused.value.messages == [
        "The end date must be from 1 January 2000 to 7 December 2036."
    ]


def test_the_29th_of_february_ten_years_on_is_the_28th():
    assert years_later(date(2028, 2, 29), 10) == date(2038, 2, 28)


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Paris", date(2027, 3, 28)), ("America/New_York", date(2027, 3, 14))]
)
def test_a_time_the_clocks_skip_is_refused(zone, day):
    with pytest.raises(ValidationError, match="02:30 does not exist on"):
        local_moment(day, time(2, 30), ZoneInfo(zone))


def test_a_time_the_clocks_show_twice_is_its_first_occurrence_on_summer_time():
    moment = local_moment(date(2027, 10, 31), time(2, 30), ZoneInfo("Europe/Paris"))

    assert moment.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_an_ordinary_time_is_that_time_in_the_zone():
    moment = local_moment(date(2027, 6, 1), time(10, 0), ZoneInfo("America/New_York"))

    assert moment.astimezone(UTC) == datetime(2027, 6, 1, 14, 0, tzinfo=UTC)
