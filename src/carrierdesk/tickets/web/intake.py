"""Intake (issue 5 §2, R-INT-1..5): find the caller, see their history, register the ticket.

`intake` answers the lookup (the whole page, or only the result for htmx), shows the found
customer with the form, and registers on POST (then redirects: POST/redirect/GET);
`intake_classification` re-renders the subtype and urgency choices when the kind changes;
`intake_done` confirms: the number, the acknowledgement sent (R-INT-4), the clocks now running.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import push_url

from carrierdesk.core.errors import ActionError
from carrierdesk.core.masking import mask_name
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.notifications.queries import customer_messages_about
from carrierdesk.sla.queries import Summaries, clocks_of
from carrierdesk.tickets import workflow
from carrierdesk.tickets.actions import ACKNOWLEDGEMENT
from carrierdesk.tickets.choices import Action
from carrierdesk.tickets.intake import register_with_attachments
from carrierdesk.tickets.queries import access_ticket
from carrierdesk.tickets.web.intake_forms import IntakeForm, kind_of
from carrierdesk.tickets.web.intake_lookup import (
    MAX_QUERY,
    History,
    MaskedCustomer,
    access_caller,
    find_customers,
    history_of,
    matched_subscription,
    open_tickets_of_kind,
    subscriptions_of,
)
from carrierdesk.web.access import show_errors, staff_view

#: Who registers tickets (SPEC §0): agents, dispatchers, supervisors, admins.
REGISTER_ROLES = workflow.ROLE_ACTIONS[Action.REGISTER]


@staff_view(roles=REGISTER_ROLES)
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _register(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    number = request.GET.get("customer", "").strip()
    partial = bool(getattr(request, "htmx", False))  # django-htmx: only the result is asked for
    context: dict[str, Any] = {"query": query}
    if number:
        customer = access_caller(request.user, number)
        history = history_of(request.user, customer)
        chosen = request.GET.get("subscription", "")
        selected = next((row for row in history.subscriptions if str(row.pk) == chosen), None)
        context.update(_customer_context(customer, history, selected))
    elif query:
        matches = find_customers(request.user, query)
        if len(matches) != 1:
            context["matches"] = [MaskedCustomer.of(customer) for customer in matches]
        else:
            customer = matches[0]
            history = history_of(request.user, customer)
            selected = matched_subscription(history.subscriptions, query)
            # The address bar, and the page's links back to itself, name the customer found,
            # never the number typed: it is personal data (R-SEC-2).
            target = _customer_url(customer, selected)
            if not partial:
                return redirect(target)
            response = render(
                request,
                "tickets/web/intake_result.html",
                _customer_context(customer, history, selected),
            )
            return push_url(response, target)
    template = "tickets/web/intake_result.html" if partial else "tickets/web/intake.html"
    return render(request, template, context)


def _customer_url(customer: Customer, selected: Subscription | None) -> str:
    params = {"customer": customer.number}
    if selected is not None:
        params["subscription"] = str(selected.pk)
    return f"{reverse('web:intake')}?{urlencode(params)}"


def _customer_context(
    customer: Customer,
    history: History,
    selected: Subscription | None = None,
    form: IntakeForm | None = None,
) -> dict[str, Any]:
    if form is None:
        form = IntakeForm(
            initial={"customer": customer.number},
            subscriptions=history.subscriptions,
            selected_subscription=selected or matched_subscription(history.subscriptions, ""),
        )
        form.fields["kind"].widget.attrs["autofocus"] = True
    return {
        "customer": MaskedCustomer.of(customer),
        "history": history,
        "form": form,
        "duplicates": history.duplicates(form.chosen_kind),
    }


def _register(request: HttpRequest) -> HttpResponse:
    customer = access_caller(request.user, request.POST.get("customer", ""))
    subscriptions = subscriptions_of(request.user, customer)
    form = IntakeForm(request.POST, request.FILES, subscriptions=subscriptions)
    if form.is_valid():
        try:
            ticket = register_with_attachments(
                request.user,
                customer=customer,
                attachments=form.cleaned_data["attachments"],
                **form.ticket_values(),
            )
        except ActionError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, _("Ticket %(number)s is registered.") % {"number": ticket.number}
            )
            return redirect("web:intake-done", number=ticket.number)
    history = history_of(request.user, customer, subscriptions)
    context = _customer_context(customer, history, form=form)
    return render(request, "tickets/web/intake.html", context)


@staff_view(roles=REGISTER_ROLES)
def intake_classification(request: HttpRequest) -> HttpResponse:
    """The subtype and urgency fields of the kind chosen, and the customer's open tickets of
    that kind (possible duplicates); an htmx partial."""
    kind = kind_of(request.GET.get("kind"))
    number = request.GET.get("customer", "").strip()
    duplicates = []
    if number:
        customer = access_caller(request.user, number)
        duplicates = open_tickets_of_kind(request.user, customer, kind)
    form = IntakeForm(initial={"kind": kind}, subscriptions=[])
    context = {"form": form, "duplicates": duplicates}
    return render(request, "tickets/web/intake_classification.html", context)


@staff_view(roles=REGISTER_ROLES)
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    """What registration set going: the acknowledgement and the time limits (R-INT-4, R-SLA-1)."""
    ticket = access_ticket(request.user, number)
    summaries = Summaries()
    clocks = [(row, summaries.of(row)) for row in clocks_of(ticket)]
    acknowledgement = (
        customer_messages_about("ticket", ticket.number).filter(template=ACKNOWLEDGEMENT).first()
    )
    context = {
        "ticket": ticket,
        "customer_name": mask_name(ticket.customer.name),
        "clocks": clocks,
        "acknowledgement": acknowledgement,
    }
    return render(request, "tickets/web/intake_done.html", context)
