"""Create the seven department groups with the permissions of apps/accounts/departments.py.
Later migrations that add models or permissions call sync_departments again."""

from django.db import migrations

from apps.accounts.departments import sync_departments


def forwards(apps, schema_editor):
    sync_departments(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0001_initial"),
        ("suppliers", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
