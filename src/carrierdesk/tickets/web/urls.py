"""Ticket screens: intake, queues, the ticket workspace, dispatch (issue 5 §2–§5)."""

from django.urls import path

from carrierdesk.tickets.web import dispatch, intake, queues, workspace

urlpatterns = [
    path("intake/", intake.intake, name="intake"),
    path("intake/classification/", intake.intake_classification, name="intake-classification"),
    path("intake/done/<str:number>/", intake.intake_done, name="intake-done"),
    path("tickets/", queues.queue, name="queue"),
    path("queue/assign/", queues.assign_selected, name="queue-assign"),
    path("queue/views/", queues.save_view, name="queue-view-save"),
    path("queue/views/<int:view_id>/delete/", queues.delete_view, name="queue-view-delete"),
    path("tickets/<str:number>/", workspace.ticket, name="ticket"),
    path("tickets/<str:number>/act/<str:action>/", workspace.act, name="ticket-act"),
    path("tickets/<str:number>/candidates/", workspace.candidates, name="ticket-candidates"),
    path("tickets/<str:number>/note/", workspace.note, name="ticket-note"),
    path("tickets/<str:number>/feedback/", workspace.feedback, name="ticket-feedback"),
    path("tickets/<str:number>/attach/", workspace.attach, name="ticket-attach"),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/",
        workspace.attachment,
        name="ticket-attachment",
    ),
    path("tickets/<str:number>/unmask/", workspace.unmask, name="ticket-unmask"),
    path("dispatch/", dispatch.dispatch, name="dispatch"),
    path("dispatch/assign/", dispatch.assign, name="dispatch-assign"),
]
