"""Survey routes: respond."""

app_name = "surveys_respond"

urlpatterns = []
