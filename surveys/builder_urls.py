"""Survey routes: builder."""

app_name = "surveys_builder"

urlpatterns = []
