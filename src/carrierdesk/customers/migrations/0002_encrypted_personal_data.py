"""Personal data encrypted at rest (R-SEC-2), step 1 of 3: encrypted columns become unbounded
text, the lookup-hash columns appear (unindexed until they are filled), the unique ID and
service numbers give way to unique hashes (step 3)."""

import carrierdesk.core.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscription",
            options={
                "ordering": ["id"],
                "verbose_name": "subscription",
                "verbose_name_plural": "subscriptions",
            },
        ),
        migrations.RemoveConstraint(
            model_name="customer",
            name="customer_unique_id",
        ),
        migrations.AlterField(
            model_name="customer",
            name="name",
            field=carrierdesk.core.fields.EncryptedTextField(max_length=128, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="mobile",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True, max_length=20, verbose_name="mobile number"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="id_number",
            field=carrierdesk.core.fields.EncryptedTextField(
                max_length=32, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="address",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True, max_length=255, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="service_number",
            field=carrierdesk.core.fields.EncryptedTextField(
                max_length=32, verbose_name="service number"
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="installation_address",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True, max_length=255, verbose_name="installation address"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="mobile_hash",
            field=carrierdesk.core.fields.LookupHashField(
                source="mobile", verbose_name="mobile number lookup hash"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="id_number_hash",
            field=carrierdesk.core.fields.LookupHashField(
                source="id_number", verbose_name="ID number lookup hash"
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="service_number_hash",
            field=carrierdesk.core.fields.LookupHashField(
                source="service_number", verbose_name="service number lookup hash"
            ),
        ),
    ]
