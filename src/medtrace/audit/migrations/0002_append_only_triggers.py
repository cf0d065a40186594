from django.db import migrations

from medtrace.audit import immutability


def install(apps, schema_editor):
    immutability.install(schema_editor.connection)


def remove(apps, schema_editor):
    immutability.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
