from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhicheng.accounts import xinzhou

    xinzhou.load(apps.get_model("accounts", "Area"), apps.get_model("accounts", "Organisation"))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("accounts", "Area").objects.update(hr_bureau=None, iit_bureau=None)
    apps.get_model("accounts", "Organisation").objects.all().delete()
    apps.get_model("accounts", "Area").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
