"""The intake form (R-INT-3): the choices each kind allows (R-CLS-1..3), sensible defaults
for a phone call (hotline, received now), several files at once (R-INT-6).

The form checks types and choices; `register_ticket` checks the rest again and its refusals
are put next to the fields (`show_errors`).
"""

from datetime import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from carrierdesk.core import clock
from carrierdesk.customers.models import Subscription
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import Category, Channel, Kind, Subtype, Urgency
from carrierdesk.tickets.intake import MAX_ATTACHMENTS
from carrierdesk.web.forms import StaffForm

#: How a `datetime-local` control sends and shows a time (local time, to the minute).
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
DEFAULT_KIND = Kind.INQUIRY


def local_time_field(
    label: Any, *, required: bool = False, help_text: Any = ""
) -> forms.DateTimeField:
    """A local date and time in a `datetime-local` control (made aware in the site's zone)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        help_text=help_text,
    )


def regulator_due_field() -> forms.DateTimeField:
    """The regulator's (or 12345's) due date of a regulated complaint (R-CMP-1)."""
    return local_time_field(
        _("Regulator's due date"), help_text=_("The due date they set (local time).")
    )


def _attachments_help() -> str:
    """Formatted when shown, in the page's language (a `%` in the class body would format it
    once, at import, in English)."""
    return _("Documents, photos or recordings; up to %(count)d files.") % {"count": MAX_ATTACHMENTS}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (each checked as a FileField checks one), as a list."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        single = super().clean
        return [single(item, initial) for item in files if item]


def kind_of(value: str | None) -> str:
    """The kind named by `value`, else the default (an unknown kind is refused at save)."""
    return value if value in Kind.values else DEFAULT_KIND


def now_local() -> datetime:
    return timezone.localtime(clock.now()).replace(second=0, microsecond=0)


class IntakeForm(StaffForm):
    """A ticket for the customer found at intake. `subscriptions` are the customer's (already
    read through the restricting queryset): the choices of `subscription`."""

    customer = forms.CharField(widget=forms.HiddenInput, max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    subtype = forms.ChoiceField(label=_("Subtype"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Choose a category")), *Category.choices]
    )
    subscription = forms.ChoiceField(label=_("Subscription"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    received_at = local_time_field(
        _("Received"),
        required=True,
        help_text=_("When the customer's request reached us (local time)."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("If the customer wants to be called back on another number."),
    )
    # R-CMP-1: the case of the regulator (工信部申诉) or the 12345 hotline.
    regulator_reference = forms.CharField(
        label=_("Regulator's reference"),
        max_length=64,
        required=False,
        help_text=_(
            "For a complaint through the regulator or the 12345 hotline, or a regulator "
            "appeal: their case number."
        ),
    )
    regulator_due_at = regulator_due_field()
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=lazy(_attachments_help, str)(),
    )

    def __init__(
        self,
        *args: Any,
        subscriptions: list[Subscription],
        selected_subscription: Subscription | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_kind = kind_of(
            self.data.get("kind") if self.is_bound else self.initial.get("kind")
        )
        self.subscriptions = {str(row.pk): row for row in subscriptions}
        self._choices("subscription").choices = [
            ("", _("None")),
            *(
                (
                    str(row.pk),
                    f"{row.masked_service_number} · {row.get_product_display()} · "
                    f"{row.get_status_display()}",
                )
                for row in subscriptions
            ),
        ]
        self._classify(self.chosen_kind)
        if not self.is_bound:
            self.initial.setdefault("kind", self.chosen_kind)
            self.initial.setdefault("channel", Channel.HOTLINE)
            self.initial.setdefault("received_at", now_local())
            if selected_subscription is not None:
                self.initial.setdefault("subscription", str(selected_subscription.pk))
        self.fields["received_at"].widget.attrs["max"] = now_local().strftime(LOCAL_MINUTE)
        self.fields["kind"].widget.attrs.update(
            {
                # Another kind, other subtypes and urgencies (and duplicates): fetched in place.
                "hx-get": reverse("web:intake-classification"),
                "hx-target": "#intake-classification",
                "hx-include": "#intake-form [name=customer]",
                "hx-trigger": "change",
            }
        )

    def _choices(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def _classify(self, kind: str) -> None:
        """The subtypes and urgencies `kind` takes, the first urgency preselected."""
        subtypes = workflow.SUBTYPES[kind]
        subtype = self._choices("subtype")
        subtype.choices = [("", _("Choose a subtype")), *_labelled(Subtype, subtypes)]
        subtype.required = bool(subtypes)
        urgency = self._choices("urgency")
        urgency.choices = _labelled(Urgency, workflow.URGENCIES[kind])
        if not self.is_bound:
            self.initial["urgency"] = workflow.URGENCIES[kind][0]

    @property
    def has_subtypes(self) -> bool:
        return bool(workflow.SUBTYPES[self.chosen_kind])

    def ticket_values(self) -> dict[str, Any]:
        """The cleaned values as `register_ticket` takes them (but the customer)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "subtype": data["subtype"],
            "urgency": data["urgency"],
            "channel": data["channel"],
            "category": data["category"],
            "subscription": self.subscriptions.get(data["subscription"] or ""),
            "title": data["title"],
            "description": data["description"],
            "received_at": data["received_at"],
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "regulator_reference": data["regulator_reference"],
            "regulator_due_at": data["regulator_due_at"],
        }


def _labelled(choices: type[Any], values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, choices(value).label) for value in values]
