from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_shipped_day_month"),
    ]

    operations = [
        migrations.AlterField(
            model_name="shippedday",
            name="month",
            field=models.DateField(),
        ),
    ]
