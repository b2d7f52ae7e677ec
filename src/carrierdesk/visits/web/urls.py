"""Return visits' pages (R-RV-1..3): the worklist, the satisfaction summary, the rules, and
the customers' public survey page."""

from django.urls import URLPattern, path

from carrierdesk.visits.web import rules, summary, survey, worklist

urlpatterns: list[URLPattern] = [
    path("visits/", worklist.worklist, name="visits"),
    path("visits/<int:visit_id>/", worklist.visit, name="visit"),
    path("visits/satisfaction/", summary.satisfaction, name="satisfaction"),
    # Public, no account (R-RV-3): the link's token is the only key.
    path("s/<str:token>/", survey.survey, name="survey"),
    path("visits/rules/", rules.visit_rules, name="visit-rules"),
    path("visits/rules/<slug:kind>/", rules.visit_rule, name="visit-rule"),
]
