"""Restricted reads of security incidents (STYLE habit 4, R-SEC-1, R-SEC-6).

Supervisors, admins and auditors read every incident; any other staff member reads the ones
they reported; customers none. Missing and forbidden answer the same NotFound.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.roles import is_staff_member, roles_of
from carrierdesk.core.errors import NotFound
from carrierdesk.incidents import workflow
from carrierdesk.incidents.models import (
    IncidentCustomer,
    IncidentEvent,
    IncidentTicket,
    SecurityIncident,
)

User = AbstractBaseUser | AnonymousUser

#: The related rows an incident is shown with.
INCIDENT_RELATED = ("reporter", "handler")


def incidents_visible_to(user: User) -> QuerySet[SecurityIncident]:
    if not is_staff_member(user):
        return SecurityIncident.objects.none()
    if workflow.can_read_all(roles_of(user)):
        return SecurityIncident.objects.all()
    return SecurityIncident.objects.filter(reporter_id=user.pk)


def access_incident(user: User, number: str) -> SecurityIncident:
    try:
        return incidents_visible_to(user).select_related(*INCIDENT_RELATED).get(number=number)
    except SecurityIncident.DoesNotExist:
        raise NotFound(_("No such security incident.")) from None


def incident_detail_prefetch() -> tuple[Prefetch, ...]:
    """The timeline and the links an incident is shown with, each with its related rows."""
    return (
        Prefetch("events", queryset=IncidentEvent.objects.select_related("actor")),
        Prefetch(
            "customer_links",
            queryset=IncidentCustomer.objects.select_related("customer", "linked_by"),
        ),
        Prefetch(
            "ticket_links", queryset=IncidentTicket.objects.select_related("ticket", "linked_by")
        ),
    )


def access_incident_detail(user: User, number: str) -> SecurityIncident:
    """`access_incident` with the timeline and links prefetched, for showing it whole."""
    try:
        return (
            incidents_visible_to(user)
            .select_related(*INCIDENT_RELATED)
            .prefetch_related(*incident_detail_prefetch())
            .get(number=number)
        )
    except SecurityIncident.DoesNotExist:
        raise NotFound(_("No such security incident.")) from None
