"""ID numbers are now shown as their area code alone (residents.masking): the masked copies kept
beside the sealed numbers are cut to that. No number is decrypted: the area code is the first six
characters of the old masked copy."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr


def forwards(apps, schema_editor):
    Resident = apps.get_model("residents", "Resident")
    Resident.objects.filter(id_number_masked__regex=r"^.{18}$").update(
        id_number_masked=Concat(Substr("id_number_masked", 1, 6), Value("*" * 12))
    )
    # Anything else (there should be nothing) is hidden whole rather than left showing digits.
    Resident.objects.exclude(id_number_masked="").exclude(id_number_masked__regex=r"^.{18}$").update(
        id_number_masked=Value("*" * 18)
    )


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_no_like_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
