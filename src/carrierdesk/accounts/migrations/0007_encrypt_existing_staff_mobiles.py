"""Encrypt the staff mobile numbers written in clear, in batches (R-SEC-2)."""

from django.db import migrations


def encrypt(apps, schema_editor):
    from carrierdesk.core.actions import encrypt_existing_rows

    encrypt_existing_rows(apps.get_model("accounts", "StaffProfile"))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0006_encrypted_staff_mobile"),
    ]

    operations = [
        migrations.RunPython(encrypt, elidable=False),
    ]
