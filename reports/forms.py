from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.dates import EARLIEST_DAY

DEFAULT_DAYS = 180
LONGEST_DAYS = 3 * 366


class DateRangeForm(forms.Form):
    """The dashboard's period: the trend lines cover it; the tiles show its last day."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            # Before the arithmetic below, which a day such as 0001-01-01 would overflow.
            if data.get(name) and data[name] < EARLIEST_DAY:
                self.add_error(name, _("Choose a day from %(day)s on.") % {"day": EARLIEST_DAY})
        if self.errors:
            return data
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS)
        if end > self.today:
            self.add_error("end", _("The end cannot be after today."))
        if start > end:
            self.add_error("start", _("The start must come before the end."))
        elif (end - start).days > LONGEST_DAYS:
            self.add_error("start", _("Choose a period of at most three years."))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        """The valid period, or the default one when the form has errors."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.today - timedelta(days=DEFAULT_DAYS), self.today
