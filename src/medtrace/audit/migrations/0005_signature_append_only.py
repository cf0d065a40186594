from django.db import migrations

from medtrace.audit import immutability

TABLES = ["audit_signature"]


def install(apps, schema_editor):
    immutability.install(schema_editor.connection, tables=TABLES)


def remove(apps, schema_editor):
    immutability.remove(schema_editor.connection, tables=TABLES)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_signatures_and_reviews")]

    operations = [migrations.RunPython(install, remove)]
