"""Calendar feed tokens hashed at rest: each existing secret is replaced by its SHA-256, so that the feed URLs already
subscribed to keep working (the URL's secret is hashed at each request), and the clear secrets leave the database."""

import hashlib

from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    CalendarToken = apps.get_model("clefop", "CalendarToken")
    for row in CalendarToken.objects.all().only("pk", "token"):
        row.token_hash = hashlib.sha256(row.token.encode()).hexdigest()
        row.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [("clefop", "0004_offer_moved_to_offer_app")]

    operations = [
        migrations.AddField(
            model_name="calendartoken",
            name="token_hash",
            field=models.CharField(max_length=64, null=True, verbose_name="empreinte du jeton"),
        ),
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="calendartoken", name="token"),
        migrations.AlterField(
            model_name="calendartoken",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="empreinte du jeton"),
        ),
    ]
