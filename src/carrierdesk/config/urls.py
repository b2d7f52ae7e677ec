"""URL map: the staff web UI at the root, admin, the REST API under /api/v1/, the OpenAPI
schema and its docs."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from carrierdesk.accounts.api.auth import ObtainTokenView, RevokeTokenView
from carrierdesk.accounts.api.views import DepartmentViewSet, RegionViewSet
from carrierdesk.calendars.api.views import CalendarViewSet
from carrierdesk.customers.api.views import CustomerViewSet, SubscriptionViewSet
from carrierdesk.incidents.api.views import IncidentViewSet
from carrierdesk.privacy.api.requests import DataSubjectRequestViewSet
from carrierdesk.privacy.api.retention import LegalHoldViewSet
from carrierdesk.privacy.api.views import AccessLogViewSet
from carrierdesk.sla.api.views import AtRiskView, PolicyVersionViewSet
from carrierdesk.tickets.api.views import TicketViewSet
from carrierdesk.visits.api.rules import VisitRuleViewSet
from carrierdesk.visits.api.summary import SatisfactionSummaryView
from carrierdesk.visits.api.worklist import ReturnVisitViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("regions", RegionViewSet, basename="region")
router.register("departments", DepartmentViewSet, basename="department")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("sla/policies", PolicyVersionViewSet, basename="sla-policy")
router.register("privacy/access-log", AccessLogViewSet, basename="access-log")
router.register("privacy/legal-holds", LegalHoldViewSet, basename="legal-hold")
router.register("privacy/requests", DataSubjectRequestViewSet, basename="subject-request")
router.register("security/incidents", IncidentViewSet, basename="security-incident")
router.register("return_visits", ReturnVisitViewSet, basename="return-visit")
router.register("visit_rules", VisitRuleViewSet, basename="visit-rule")

admin.site.site_header = _("carrierdesk administration")
admin.site.site_title = _("carrierdesk")
admin.site.index_title = _("Administration")

handler404 = "carrierdesk.core.views.not_found"
handler500 = "carrierdesk.core.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("api/v1/sla/at-risk/", AtRiskView.as_view(), name="sla-at-risk"),
    path(
        "api/v1/return_visits/summary/",
        SatisfactionSummaryView.as_view(),
        name="return-visits-summary",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start script from its own URL: no inline script, as
    # the Content-Security-Policy requires (R-SEC-4).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # The staff web UI (issue 5), at the root.
    path("", include("carrierdesk.web.urls")),
]
