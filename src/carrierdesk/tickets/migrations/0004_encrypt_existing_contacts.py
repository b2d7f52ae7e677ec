"""Encrypt the contact names and phones written in clear, in batches (R-SEC-2)."""

from django.db import migrations


def encrypt(apps, schema_editor):
    from carrierdesk.core.actions import encrypt_existing_rows

    encrypt_existing_rows(apps.get_model("tickets", "Ticket"))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0003_encrypted_contact"),
    ]

    operations = [
        migrations.RunPython(encrypt, elidable=False),
    ]
