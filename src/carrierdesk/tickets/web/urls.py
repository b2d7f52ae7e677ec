"""Ticket screens: intake, queues, the ticket workspace, dispatch (issue 5 §2–§5)."""

from django.urls import path

from carrierdesk.tickets.web import dispatch, intake, queues, workspace

urlpatterns = [
    path("intake/", intake.intake, name="intake"),
    path("tickets/", queues.queue, name="queue"),
    path("tickets/<str:number>/", workspace.ticket, name="ticket"),
    path("dispatch/", dispatch.dispatch, name="dispatch"),
]
