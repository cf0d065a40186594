from django.db import migrations

from medtrace.audit import immutability

TABLES = ["trace_traceevent", "trace_eventobject"]


def install(apps, schema_editor):
    immutability.install(schema_editor.connection, tables=TABLES)


def remove(apps, schema_editor):
    immutability.remove(schema_editor.connection, tables=TABLES)


class Migration(migrations.Migration):
    dependencies = [("trace", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
