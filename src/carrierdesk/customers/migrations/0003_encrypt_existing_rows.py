"""Personal data encrypted at rest (R-SEC-2), step 2 of 3: encrypt the rows written in clear
and fill their lookup hashes, in batches of 1,000 rows, each its own transaction (the migration
is not atomic). Values already encrypted are kept, so an interrupted run is simply run again.
Not reversible: restore a backup to go back."""

from django.db import migrations


def encrypt(apps, schema_editor):
    from carrierdesk.core.actions import encrypt_existing_rows

    for name in ("Customer", "Subscription"):
        encrypt_existing_rows(apps.get_model("customers", name))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0002_encrypted_personal_data"),
    ]

    operations = [
        migrations.RunPython(encrypt, elidable=False),
    ]
