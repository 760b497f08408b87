"""Survey routes: results."""

app_name = "surveys_results"

urlpatterns = []
