"""Survey results through the API: the figures the results page and its CSV show, by the
same function (surveys.selectors.results.survey_results), so a group hidden there is hidden here."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.filters import FilterSet, IdFilter
from organizations.api.views import OrganizationScoped, error_responses
from programs.decorators import ProgramPermissionMixin
from surveys.models import Survey
from surveys.selectors import survey_list
from surveys.selectors.results import survey_results
from surveys.serializers import (
    SurveyResultsQuerySerializer,
    SurveyResultsSerializer,
    SurveySerializer,
)

# Who may read results on the page may read them here.
RESULTS_PERMISSION = "program.view"


class SurveyFilter(FilterSet):
    program = IdFilter(field_name="program__id", help_text="Program id.")

    class Meta:
        model = Survey
        fields = ["program"]


@extend_schema(
    tags=["surveys"],
    responses={200: SurveySerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class SurveyList(OrganizationScoped, generics.ListAPIView):
    """The surveys of the programs the caller reaches: a program manager's own programs
    (with the browser session), every program for an admin or an API key. The library's
    templates have no results."""

    permission = RESULTS_PERMISSION
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    queryset = Survey.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return survey_list(credential=self.request.auth).order_by("title", "pk")


@extend_schema(
    tags=["surveys"],
    parameters=[SurveyResultsQuerySerializer],
    responses={200: SurveyResultsSerializer, **error_responses(400, 401, 403, 404, 429)},
    description=(
        "A survey's results per question: overall and by cohort and role (and, for an "
        "attributed survey, by department and level). A group of fewer respondents than "
        "the organisation's minimum, or one that could be worked out from shown groups by "
        "subtraction, is hidden: `hidden: true` and `figures: null`, exactly as on the "
        "results page and in its CSV. A survey of a program the caller does not manage "
        "answers 404, as one of another organisation."
    ),
)
class SurveyResultsDetail(ProgramPermissionMixin, OrganizationScoped, APIView):
    permission = RESULTS_PERMISSION
    program_via = (Survey, "survey_id")

    def get(self, request, survey_id):
        organization = self.organization()
        survey = get_object_or_404(survey_list(credential=request.auth), pk=survey_id)
        query = SurveyResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cohort_id = query.validated_data.get("cohort")
        results = survey_results(survey, organization=organization, cohort_id=cohort_id)
        if cohort_id is not None and results.cohort_id != cohort_id:
            # The page quietly shows every cohort; a client is told it asked for another.
            raise ValidationError({"cohort": [_("Not a cohort this survey was sent to.")]})
        return Response(SurveyResultsSerializer(results).data)
