"""The ticket's contact person and phone encrypted at rest (R-SEC-2): the columns become
unbounded text, then the rows written in clear are encrypted (customers 0003 explains)."""

import carrierdesk.core.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_ticket_sla_policy_alter_ticketevent_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="contact_name",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True, max_length=64, verbose_name="contact person"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="contact_phone",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True, max_length=20, verbose_name="contact phone"
            ),
        ),
    ]
