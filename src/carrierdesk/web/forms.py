"""Forms of the staff UI: Bootstrap classes on every control, and errors tied to their field
for screen readers (aria-invalid, aria-describedby)."""

from typing import Any

from django import forms


def _control_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


#: Select boxes with their options written in place (Django includes a template per option).
SELECT_TEMPLATE = "web/widgets/select.html"


class StyledMixin:
    """Mix into a Form: styles the controls and marks the invalid ones."""

    fields: dict[str, forms.Field]

    def style_controls(self) -> None:
        for field in self.fields.values():
            attrs = field.widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} {_control_class(field.widget)}".strip()
            if isinstance(field.widget, forms.Select):
                field.widget.template_name = SELECT_TEMPLATE

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]  # Form.add_error
        for name in list(self.errors):  # type: ignore[attr-defined]  # Form.errors
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                auto_id = self[name].auto_id  # type: ignore[index]  # Form.__getitem__
                attrs["aria-describedby"] = f"{auto_id}_error"


class StaffForm(StyledMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_controls()
