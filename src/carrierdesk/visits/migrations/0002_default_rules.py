"""The default return-visit rules (R-RV-1): every complaint and regulator appeal is visited by
phone within two days of its resolution (R-WF-4 closes the loop with the visit); faults half of
them, service orders, suggestions and inquiries a sample, by SMS within three days."""

from django.db import migrations

DEFAULTS = [
    # kind, share (%), channel, not before (h), limit (h), attempts
    ("complaint", 100, "phone", 0, 48, 3),
    ("appeal", 100, "phone", 0, 48, 3),
    ("fault", 50, "phone", 2, 72, 3),
    ("service_order", 30, "sms", 24, 72, 1),
    ("suggestion", 20, "sms", 0, 72, 1),
    ("inquiry", 10, "sms", 0, 72, 1),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    VisitRule = apps.get_model("visits", "VisitRule")
    for kind, share, channel, delay, within, attempts in DEFAULTS:
        VisitRule.objects.get_or_create(
            kind=kind,
            defaults={
                "share_percent": share,
                "channel": channel,
                "delay_hours": delay,
                "within_hours": within,
                "max_attempts": attempts,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
