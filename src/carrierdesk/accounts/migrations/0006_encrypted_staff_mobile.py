"""The staff member's mobile number encrypted at rest (R-SEC-2): the column becomes unbounded
text, then the rows written in clear are encrypted (customers 0003 explains)."""

import carrierdesk.core.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_region_path"),
    ]

    operations = [
        migrations.AlterField(
            model_name="staffprofile",
            name="mobile",
            field=carrierdesk.core.fields.EncryptedTextField(
                blank=True,
                help_text="For SMS notifications (time-limit warnings, escalations).",
                max_length=20,
                verbose_name="mobile number",
            ),
        ),
    ]
