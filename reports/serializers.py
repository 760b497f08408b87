"""The API's shape of the KPI trend (reports.measures), field by field, so the OpenAPI
schema says exactly what a response holds.

A row carries what the dashboard's CSV export carries and nothing more: the enrolment
funnel and each measure's value as the day published it (``reports.measures.shown``), with
the day that value was published. A measure whose group is too small is ``hidden: true``
with ``value`` (and ``comparison``) null; the numerators and denominators behind a measure
never leave the server.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from organizations.api.filters import DateParameter, WholeNumberParameter
from reports.forms import DateRangeForm
from reports.measures import MEASURES, Measure

SCOPE_CHOICES = [
    ("organization", "The whole organisation"),
    ("program", "One program"),
]


class KpiTrendQuerySerializer(serializers.Serializer):
    """The dashboard's period, checked by the dashboard's own form (reports.forms), so the
    API and the page refuse the same periods."""

    program = WholeNumberParameter(
        required=False,
        min_value=1,
        help_text="Only this program's figures; left out, the whole organisation's.",
    )
    start = DateParameter(
        required=False, help_text="First day (YYYY-MM-DD); by default 180 days before the end."
    )
    end = DateParameter(
        required=False,
        help_text="Last day (YYYY-MM-DD), not after today in the organisation's time zone; "
        "by default today.",
    )

    def validate(self, attrs):
        given = {name: attrs[name] for name in ("start", "end") if name in attrs}
        form = DateRangeForm(given, today=self.context["today"])
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    field: [str(message) for message in messages]
                    for field, messages in form.errors.items()
                }
            )
        return {**attrs, **form.cleaned_data}


class KpiMeasureSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True,
        help_text="Rounded to a whole number, as on the dashboard and in its CSV export. Null "
        "when hidden, or when there is nothing to measure yet.",
    )
    hidden = serializers.BooleanField(
        help_text="The group behind the figure is smaller than the organisation's minimum "
        "(whatever its size, zero included): value is null."
    )
    published_on = serializers.DateField(
        source="on",
        allow_null=True,
        help_text="The day the value was published. A value changes only when the group "
        "behind it, or the count behind a share, has changed by at least the organisation's "
        "minimum since it was published, so that no two days give one person's answer or "
        "change away; until then every day repeats it. Null when hidden.",
    )


class KpiComparedMeasureSerializer(KpiMeasureSerializer):
    comparison = serializers.FloatField(
        allow_null=True,
        help_text="The same figure for comparable non-participants (same department and job "
        "level), rounded alike; null when hidden.",
    )


def _measure_field(measure: Measure) -> serializers.Serializer:
    help_text = format_lazy("{}: {}", measure.label, measure.definition)
    if measure.percent:
        help_text = format_lazy("{} {}", help_text, gettext_lazy("A percentage, 0 to 100."))
    if measure.comparison is not None:
        return KpiComparedMeasureSerializer(help_text=help_text)
    return KpiMeasureSerializer(help_text=help_text)


class _KpiRowBase(serializers.Serializer):
    day = serializers.DateField()
    scope = serializers.ChoiceField(choices=SCOPE_CHOICES)
    program = serializers.IntegerField(
        allow_null=True, help_text="The program's id; null for the whole organisation."
    )
    invited = serializers.IntegerField(
        min_value=0, help_text="People invited or nominating themselves, by the day."
    )
    applied = serializers.IntegerField(min_value=0, help_text="Of them, those who applied.")
    approved = serializers.IntegerField(
        min_value=0, help_text="Those approved by the day (and still approved)."
    )
    active = serializers.IntegerField(
        min_value=0, help_text="People in a pair active at the end of the day."
    )


# A field per measure, named by its key, built from reports.measures.MEASURES so the API
# and its schema follow the dashboard when a measure is added.
KpiRowSerializer = type(
    "KpiRowSerializer",
    (_KpiRowBase,),
    {
        "__module__": __name__,
        "__doc__": "One day's snapshot of a scope, as the dashboard's CSV export has it.",
        **{measure.key: _measure_field(measure) for measure in MEASURES},
    },
)
