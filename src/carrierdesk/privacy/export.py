"""The access export of a data-subject request 查阅/复制 (R-SEC-5): everything held about the
customer, in clear (it is for the data subject), as JSON data and as a readable PDF.

`collect` reads (a fixed number of queries, whatever the number of tickets); `render_pdf` is
pure. Producing an export for someone is an action that logs the clear read
(`request_actions.export_request`); nothing here writes.
"""

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from carrierdesk.customers.choices import CustomerType, IdType, Product, SubscriptionStatus
from carrierdesk.customers.models import Customer
from carrierdesk.privacy.choices import RequestKind, RequestStatus
from carrierdesk.privacy.models import DataSubjectRequest, PersonalDataAccess
from carrierdesk.tickets.choices import (
    Action,
    Category,
    Channel,
    ContactChannel,
    FeedbackStage,
    Kind,
    Status,
    Urgency,
)
from carrierdesk.tickets.models import ResultFeedback, Ticket, TicketEvent
from carrierdesk.visits.choices import Satisfaction, VisitStatus
from carrierdesk.visits.models import ReturnVisit

#: The personal fields an export shows in clear (recorded on its access-log row).
EXPORTED_FIELDS = [
    "name",
    "mobile",
    "id_number",
    "address",
    "service_number",
    "installation_address",
    "contact_name",
    "contact_phone",
]

#: A CID font every PDF reader has (Adobe's Song for simplified Chinese): no font file shipped.
CHINESE_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
#: The widths of the return visits' columns (170 mm in all).
VISIT_COLUMNS_MM = (19, 19, 14, 16, 13, 13, 18, 12, 28, 18)


def _time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def collect(customer: Customer, *, generated_at: datetime, request_number: str) -> dict[str, Any]:
    """Everything held about `customer`: profile, subscriptions, tickets with their timelines,
    result feedback and return visits, the log of who saw their data in clear, and their
    data-subject requests."""
    customer = Customer.objects.select_related("region").get(pk=customer.pk)
    subscriptions = customer.subscriptions.select_related("region").order_by("pk")
    tickets = list(
        Ticket.objects.filter(customer=customer)
        .select_related("subscription")
        .order_by("received_at", "pk")
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for event in TicketEvent.objects.filter(ticket__customer=customer).order_by("created_at", "pk"):
        events.setdefault(event.ticket_id, []).append(
            {
                "time": _time(event.created_at),
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
            }
        )
    feedback: dict[int, list[dict[str, Any]]] = {}
    for row in ResultFeedback.objects.filter(ticket__customer=customer).order_by("given_at", "pk"):
        feedback.setdefault(row.ticket_id, []).append(
            {
                "time": _time(row.given_at),
                "stage": row.stage,
                "channel": row.channel,
                "cause": row.cause,
                "measures": row.measures,
                "expected_completion": _time(row.expected_completion),
                "follow_up_needed": row.follow_up_needed,
                "customer_accepts": row.customer_accepts,
            }
        )
    # R-RV-1: the return visits of their tickets, what they answered (who visited stays out:
    # staff, as elsewhere in the export).
    visits: dict[int, list[dict[str, Any]]] = {}
    for visit in ReturnVisit.objects.filter(ticket__customer=customer).order_by("created_at", "pk"):
        visits.setdefault(visit.ticket_id, []).append(
            {
                "status": visit.status,
                "channel": visit.channel,
                "scheduled_at": _time(visit.created_at),
                "due_at": _time(visit.due_at),
                "attempts": visit.attempts,
                "solved": visit.solved,
                "satisfaction": visit.satisfaction,
                "nps": visit.nps,
                "comment": visit.comment,
                "visited_at": _time(visit.visited_at),
                "by_survey": visit.by_survey,  # answered through the survey link (R-RV-3)
            }
        )
    accesses = PersonalDataAccess.objects.filter(
        object_type="customer", object_id=customer.number
    ).order_by("created_at", "pk")
    requests = DataSubjectRequest.objects.filter(customer=customer).order_by("received_at", "pk")
    return {
        "request": request_number,
        "generated_at": _time(generated_at),
        "customer": {
            "number": customer.number,
            "customer_type": customer.customer_type,
            "name": customer.name,
            "mobile": customer.mobile,
            "id_type": customer.id_type,
            "id_number": customer.id_number,
            "address": customer.address,
            "region": customer.region.name if customer.region else "",
            "created_at": _time(customer.created_at),
            "updated_at": _time(customer.updated_at),
        },
        "subscriptions": [
            {
                "service_number": subscription.service_number,
                "product": subscription.product,
                "status": subscription.status,
                "installation_address": subscription.installation_address,
                "region": subscription.region.name if subscription.region else "",
                "activated_at": _time(subscription.activated_at),
                "created_at": _time(subscription.created_at),
                "updated_at": _time(subscription.updated_at),
            }
            for subscription in subscriptions
        ],
        "tickets": [
            {
                "number": ticket.number,
                "kind": ticket.kind,
                "status": ticket.status,
                "channel": ticket.channel,
                "category": ticket.category,
                "urgency": ticket.urgency,
                "title": ticket.title,
                "description": ticket.description,
                "contact_name": ticket.contact_name,
                "contact_phone": ticket.contact_phone,
                "subscription": ticket.subscription.service_number if ticket.subscription else "",
                "received_at": _time(ticket.received_at),
                "resolved_at": _time(ticket.resolved_at),
                "closed_at": _time(ticket.closed_at),
                "resolution": ticket.resolution,
                "timeline": events.get(ticket.pk, []),
                "result_feedback": feedback.get(ticket.pk, []),
                "return_visits": visits.get(ticket.pk, []),
            }
            for ticket in tickets
        ],
        "access_log": [
            {
                "time": _time(access.created_at),
                "fields": access.fields,
                "reason": access.reason,
                "channel": access.channel,
            }
            for access in accesses
        ],
        "requests": [
            {
                "number": subject_request.number,
                "kind": subject_request.kind,
                "status": subject_request.status,
                "received_at": _time(subject_request.received_at),
                "due_at": _time(subject_request.due_at),
                "completed_at": _time(subject_request.completed_at),
            }
            for subject_request in requests
        ],
    }


def summary(data: dict[str, Any]) -> dict[str, int]:
    """How much an export holds (kept on the request's result; no personal data)."""
    return {
        "subscriptions": len(data["subscriptions"]),
        "tickets": len(data["tickets"]),
        "events": sum(len(ticket["timeline"]) for ticket in data["tickets"]),
        "access_log": len(data["access_log"]),
        "requests": len(data["requests"]),
    }


# --- PDF --------------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _styles() -> dict[str, ParagraphStyle]:
    if CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    base = getSampleStyleSheet()
    return {
        "title": base["Title"].clone("export-title", fontName=CHINESE_FONT, fontSize=16),
        "heading": base["Heading2"].clone("export-heading", fontName=CHINESE_FONT, fontSize=12),
        "text": base["Normal"].clone("export-text", fontName=CHINESE_FONT, fontSize=9, leading=12),
    }


def _cell(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _latin(text: str) -> str:
    """ASCII identifiers in a Latin font, so they are plain text in the file (searchable)."""
    return f'<font name="{LATIN_FONT}">{escape(text)}</font>'


def _table(rows: list[list[Any]], style: ParagraphStyle, widths: list[float]) -> Table:
    table = Table(
        [[_cell(value, style) for value in row] for row in rows], colWidths=widths, repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _pairs(rows: list[tuple[str, Any]], style: ParagraphStyle) -> Table:
    table = Table(
        [[_cell(label, style), _cell(value, style)] for label, value in rows],
        colWidths=[40 * mm, 130 * mm],
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    return table


def _accepted(value: bool | None) -> str:
    if value is None:
        return str(_("Not asked"))
    return str(_("Accepts") if value else _("Does not accept"))


def _visit_label(name: str) -> str:
    """A return visit's field, named as the model names it (capitalised)."""
    return str(capfirst(ReturnVisit._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def _short_time(value: str | None) -> str:
    """An ISO time as "2026-11-23 18:00" (a narrow column)."""
    return value[:16].replace("T", " ") if value else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


def _visit_rows(visits: list[dict[str, Any]]) -> list[list[Any]]:
    """R-RV-1: the return visits of a ticket, a heading row first."""
    heading = [
        _visit_label(name)
        for name in (
            "created_at",
            "due_at",
            "channel",
            "status",
            "attempts",
            "solved",
            "satisfaction",
            "nps",
            "comment",
            "visited_at",
        )
    ]
    return [heading] + [
        [
            _short_time(item["scheduled_at"]),
            _short_time(item["due_at"]),
            _label(ContactChannel, item["channel"]),
            _label(VisitStatus, item["status"]),
            item["attempts"],
            _yes_no(item["solved"]),
            _label(Satisfaction, item["satisfaction"]) if item["satisfaction"] else "",
            "" if item["nps"] is None else item["nps"],
            item["comment"],
            _short_time(item["visited_at"]),
        ]
        for item in visits
    ]


def render_pdf(data: dict[str, Any]) -> bytes:
    """A readable PDF of `collect`'s data, labels in the active language (Chinese by default)."""
    styles = _styles()
    text = styles["text"]
    customer = data["customer"]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Personal data export {customer['number']} ({data['request']})",
        author="carrierdesk",
    )
    story: list[Any] = [
        Paragraph(escape(_("Personal data we hold about you")), styles["title"]),
        Paragraph(
            escape(_("Customer number"))
            + ": "
            + _latin(customer["number"])
            + "  "
            + escape(_("Request"))
            + ": "
            + _latin(data["request"])
            + "  "
            + escape(_("Produced"))
            + ": "
            + _latin(data["generated_at"] or ""),
            text,
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("Profile")), styles["heading"]),
        _pairs(
            [
                (_("Type"), _label(CustomerType, customer["customer_type"])),
                (_("Name"), customer["name"]),
                (_("Mobile number"), customer["mobile"]),
                (_("ID type"), _label(IdType, customer["id_type"])),
                (_("ID number"), customer["id_number"]),
                (_("Address"), customer["address"]),
                (_("Region"), customer["region"]),
                (_("Registered"), customer["created_at"]),
            ],
            text,
        ),
        Paragraph(escape(_("Subscriptions")), styles["heading"]),
    ]
    subscription_rows = [
        [_("Service number"), _("Product"), _("Status"), _("Installation address"), _("Activated")]
    ] + [
        [
            item["service_number"],
            _label(Product, item["product"]),
            _label(SubscriptionStatus, item["status"]),
            item["installation_address"],
            item["activated_at"] or "",
        ]
        for item in data["subscriptions"]
    ]
    story.append(_table(subscription_rows, text, [32 * mm, 25 * mm, 22 * mm, 60 * mm, 31 * mm]))
    story.append(Paragraph(escape(_("Tickets")), styles["heading"]))
    for ticket in data["tickets"]:
        story.append(
            _pairs(
                [
                    (_("Ticket number"), ticket["number"]),
                    (_("Kind"), _label(Kind, ticket["kind"])),
                    (_("Status"), _label(Status, ticket["status"])),
                    (_("Channel"), _label(Channel, ticket["channel"])),
                    (_("Category"), _label(Category, ticket["category"])),
                    (_("Urgency"), _label(Urgency, ticket["urgency"])),
                    (_("Title"), ticket["title"]),
                    (_("Description"), ticket["description"]),
                    (_("Contact person"), ticket["contact_name"]),
                    (_("Contact phone"), ticket["contact_phone"]),
                    (_("Received"), ticket["received_at"]),
                    (_("Closed"), ticket["closed_at"] or ""),
                    (_("Resolution"), ticket["resolution"]),
                ],
                text,
            )
        )
        if ticket["timeline"]:
            timeline_rows = [[_("Time"), _("Action"), _("Status"), _("Note")]] + [
                [
                    step["time"],
                    _label(Action, step["action"]),
                    _label(Status, step["to_status"]) if step["to_status"] else "",
                    step["note"],
                ]
                for step in ticket["timeline"]
            ]
            story.append(_table(timeline_rows, text, [38 * mm, 25 * mm, 22 * mm, 85 * mm]))
        if ticket["result_feedback"]:  # R-CMP-2: what the customer was told of the result
            feedback_rows = [
                [_("Time"), _("Stage"), _("Cause"), _("Measures"), _("Customer accepts")]
            ] + [
                [
                    item["time"],
                    _label(FeedbackStage, item["stage"]),
                    item["cause"],
                    item["measures"],
                    _accepted(item["customer_accepts"]),
                ]
                for item in ticket["result_feedback"]
            ]
            story.append(_table(feedback_rows, text, [38 * mm, 20 * mm, 46 * mm, 46 * mm, 20 * mm]))
        if ticket["return_visits"]:  # R-RV-1: the return visits and what the customer said
            story.append(Paragraph(escape(_("Return visits")), text))
            story.append(
                _table(
                    _visit_rows(ticket["return_visits"]),
                    text,
                    [width * mm for width in VISIT_COLUMNS_MM],
                )
            )
        story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(_("Who saw your data in clear")), styles["heading"]))
    access_rows = [[_("Time"), _("Fields"), _("Reason")]] + [
        [item["time"], ", ".join(item["fields"]), item["reason"]] for item in data["access_log"]
    ]
    story.append(_table(access_rows, text, [38 * mm, 50 * mm, 82 * mm]))
    story.append(Paragraph(escape(_("Your requests about your data")), styles["heading"]))
    request_rows = [[_("Request"), _("Kind"), _("Status"), _("Received"), _("Completed")]] + [
        [
            item["number"],
            _label(RequestKind, item["kind"]),
            _label(RequestStatus, item["status"]),
            item["received_at"],
            item["completed_at"] or "",
        ]
        for item in data["requests"]
    ]
    story.append(_table(request_rows, text, [36 * mm, 26 * mm, 22 * mm, 43 * mm, 43 * mm]))
    document.build(story)
    return buffer.getvalue()
