"""Personal data encrypted at rest (R-SEC-2), step 3 of 3: index the filled lookup hashes; a
customer is unique by ID type and ID number hash, a subscription by service number hash."""

import carrierdesk.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_encrypt_existing_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="mobile_hash",
            field=carrierdesk.core.fields.LookupHashField(
                db_index=True, source="mobile", verbose_name="mobile number lookup hash"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="id_number_hash",
            field=carrierdesk.core.fields.LookupHashField(
                db_index=True, source="id_number", verbose_name="ID number lookup hash"
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="service_number_hash",
            field=carrierdesk.core.fields.LookupHashField(
                source="service_number", unique=True, verbose_name="service number lookup hash"
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                fields=("id_type", "id_number_hash"), name="customer_unique_id_hash"
            ),
        ),
    ]
