"""Hash-chain the audit trail (R-SEC-3): number and seal the existing entries in the order they
were written, add the chain head, and on PostgreSQL refuse UPDATE and DELETE by trigger."""

from django.conf import settings
from django.db import migrations, models

# Run through schema_editor.execute, which passes parameters: a literal % is written %%.
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION carrierdesk_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (%% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION carrierdesk_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS carrierdesk_audit_append_only();
"""


def seal_existing(apps, schema_editor):
    from carrierdesk.audit import chain

    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous, sequence = chain.GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        sequence += 1
        entry.sequence = sequence
        entry.previous_hash = previous
        entry.changes = chain.normalise_changes(entry.changes)
        values = {name: getattr(entry, name) for name in chain.CHAINED_FIELDS}
        entry.entry_hash = previous = chain.entry_hash(settings.AUDIT_CHAIN_KEY, previous, values)
        # The model's append-only save() is not in the historical model: this is the one place
        # entries are written twice, to seal them.
        entry.save(update_fields=["sequence", "previous_hash", "entry_hash", "changes"])
    AuditChainHead.objects.create(
        pk=1, sequence=sequence, entry_hash=previous if sequence else ""
    )


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_FUNCTION)
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveBigIntegerField(default=0, verbose_name="sequence")),
                ("entry_hash", models.CharField(default="", max_length=64, verbose_name="hash")),
            ],
            options={"verbose_name": "audit chain head", "verbose_name_plural": "audit chain head"},
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="sequence"),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["sequence"], "verbose_name": "audit entry", "verbose_name_plural": "audit entries"},
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
