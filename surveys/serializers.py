"""The API's shape of surveys and their results (surveys.selectors.results), field by
field, so the OpenAPI schema says exactly what a response holds.

Results carry what the page and the CSV show and nothing more: figures per group, never
a row per person, as published (surveys.selectors.results: they change only when the
group has changed by the minimum), with the day they were published. A group too small to show,
none included, is ``hidden: true`` with ``figures: null``;
a skills topic too few rated in a group is ``hidden: true`` with ``count`` and ``mean``
null.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organizations.api.filters import WholeNumberParameter
from organizations.suppression import DIMENSIONS
from programs.models import Participant
from surveys.models import Question, Survey

DIMENSION_CHOICES = ["all", *DIMENSIONS]
STATUS_CHOICES = [
    ("shown", "Figures shown"),
    (
        "hidden",
        "Fewer respondents than the minimum, none included (or the figures would give such a "
        "group away): none shown",
    ),
]


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = ["id", "title", "kind", "program", "anonymous"]


class SurveyResultsQuerySerializer(serializers.Serializer):
    cohort = WholeNumberParameter(
        required=False,
        min_value=1,
        help_text="Only this cohort (one the survey was sent to), as the results page's filter.",
    )


class ResultGroupSerializer(serializers.Serializer):
    """Who a figure is about. The constraint fields say which respondents the group holds;
    a field that does not narrow the group is null (under ``dimension: "level"``, a null
    ``level`` is the group of people with no level)."""

    dimension = serializers.ChoiceField(
        choices=DIMENSION_CHOICES,
        help_text=(
            '"all" for everyone; otherwise the breakdown the group is a cell of (under a '
            "cohort filter, the overall group is that cohort's)."
        ),
    )
    label = serializers.CharField()
    cohort = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()

    def _constraint(self, group, dimension):
        return dict(group.key).get(dimension)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_cohort(self, group) -> int | None:
        return self._constraint(group, "cohort")

    @extend_schema_field(serializers.ChoiceField(choices=Participant.Role.choices, allow_null=True))
    def get_role(self, group) -> str | None:
        return self._constraint(group, "role")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_department(self, group) -> str | None:
        return self._constraint(group, "department")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_level(self, group) -> int | None:
        return self._constraint(group, "level")


class ResultBarSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The answer (1 to 5, 0 to 10) or the choice.")
    count = serializers.IntegerField(min_value=0)
    share = serializers.FloatField(help_text="Of those who answered, 0 to 1.")


class ResultTopicSerializer(serializers.Serializer):
    topic = serializers.CharField()
    hidden = serializers.BooleanField(help_text="Too few rated this topic in this group.")
    count = serializers.IntegerField(allow_null=True, min_value=0)
    mean = serializers.FloatField(allow_null=True, help_text="Mean level, 1 to 5.")


class ResultFiguresSerializer(serializers.Serializer):
    answered = serializers.IntegerField(min_value=0)
    response_rate = serializers.FloatField(
        allow_null=True, help_text="Answered over asked; null where who was asked is not known."
    )
    bars = ResultBarSerializer(
        many=True, help_text="Agreement, NPS: answers per value. Choices: answers per choice."
    )
    mean = serializers.FloatField(allow_null=True, help_text="Agreement: 1 to 5.")
    satisfaction = serializers.FloatField(allow_null=True, help_text="Agreement: share at 4 or 5.")
    nps = serializers.IntegerField(allow_null=True, help_text="NPS: -100 to 100.")
    promoters = serializers.FloatField(allow_null=True, help_text="NPS: share at 9 or 10.")
    detractors = serializers.FloatField(allow_null=True, help_text="NPS: share at 0 to 6.")
    topics = ResultTopicSerializer(many=True, help_text="Skills: the mean level per topic.")
    texts = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=(
            "Free text, in alphabetical order: only for the whole survey (or the cohort "
            "filtered to), only where the survey allows it; otherwise null."
        ),
    )


class ResultCellSerializer(serializers.Serializer):
    group = ResultGroupSerializer()
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    hidden = serializers.BooleanField(help_text="True when status is hidden: figures is null.")
    figures = ResultFiguresSerializer(allow_null=True)
    published_on = serializers.DateField(
        allow_null=True,
        help_text=(
            "The day these figures were published. They change only once the people behind "
            "them have changed by at least the minimum group since, so that no two moments "
            "give one person's answer away; until then they are repeated. Null when hidden."
        ),
    )


class ResultBreakdownSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=DIMENSION_CHOICES)
    label = serializers.CharField()
    hidden_count = serializers.IntegerField(min_value=0)
    cells = ResultCellSerializer(many=True)


class ResultQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question_id")
    number = serializers.IntegerField(min_value=1)
    section = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    type = serializers.ChoiceField(choices=Question.Type.choices)
    type_label = serializers.CharField()
    overall = ResultCellSerializer()
    breakdowns = ResultBreakdownSerializer(many=True)
    texts_note = serializers.CharField(
        allow_blank=True, help_text="Why free text is not listed, where it is not."
    )


class ResultCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey_id")
    title = serializers.CharField()
    anonymous = serializers.BooleanField()
    show_free_text = serializers.BooleanField()
    min_group = serializers.IntegerField(
        help_text="The smallest group whose figures are shown (the organisation's setting)."
    )
    cohorts = serializers.SerializerMethodField()
    cohort = serializers.IntegerField(
        source="cohort_id", allow_null=True, help_text="The cohort filtered to, if any."
    )
    asked = serializers.IntegerField(min_value=0)
    responses = ResultCellSerializer(help_text="How many answered the survey at all.")
    questions = ResultQuestionSerializer(many=True)

    @extend_schema_field(ResultCohortSerializer(many=True))
    def get_cohorts(self, results) -> list[dict]:
        return [{"id": pk, "name": name} for pk, name in results.cohorts]
