from django.db import migrations, models


def fill_paths(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    regions = {region.pk: region for region in Region.objects.all()}

    def path_of(region):
        parts = []
        while region is not None:
            parts.append(region.code)
            region = regions.get(region.parent_id)
        return "/" + "/".join(reversed(parts)) + "/"

    for region in regions.values():
        region.path = path_of(region)
    Region.objects.bulk_update(regions.values(), ["path"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_staff_mobile_language")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="path",
            field=models.CharField(
                db_index=True, default="", editable=False, max_length=255, verbose_name="path"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
    ]
