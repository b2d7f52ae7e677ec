"""Seed the retention rules of R-SEC-5 (12 months, 3 years, 5 years) with their sources.

The figures are copied here, not imported, so the migration stays what it was when written.
"""

from django.db import migrations
from django.utils import timezone

RULES = [
    (
        "service_request",
        12,
        ["inquiry", "service_order", "suggestion"],
        "R-SEC-5 [002 §2.4]: service-request records kept >= 12 months",
    ),
    (
        "execution",
        36,
        ["fault", "complaint", "appeal"],
        "R-SEC-5 [002 §3.4, §6.4]: execution and complaint records kept >= 3 years",
    ),
    (
        "acceptance",
        60,
        ["subscription"],
        "R-SEC-5 [002 §4.4, 000 §2.3.3]: acceptance records and application materials "
        "kept >= 5 years from the end of the service",
    ),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    now = timezone.now()
    for record_type, months, applies_to, source in RULES:
        RetentionRule.objects.get_or_create(
            record_type=record_type,
            defaults={
                "months": months,
                "applies_to": applies_to,
                "source": source,
                "updated_at": now,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(
        record_type__in=[rule[0] for rule in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_retention_and_requests")]

    operations = [migrations.RunPython(seed, unseed)]
