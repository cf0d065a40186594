"""Each day's month, filled for the days already counted; made required in 0006 (a separate
migration: PostgreSQL refuses to alter a table with updates pending in the same transaction)."""

from django.db import migrations, models


def fill_months(apps, schema_editor):
    ShippedDay = apps.get_model("analytics", "ShippedDay")
    for day in ShippedDay.objects.values_list("day", flat=True).distinct():
        ShippedDay.objects.filter(day=day).update(month=day.replace(day=1))


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_one_refresh_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="shippedday",
            name="month",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_months, migrations.RunPython.noop),
    ]
