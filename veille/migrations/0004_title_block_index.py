"""Ingestion: the near-duplicate check looks titles up by their first 20 normalised characters and day; the full
title_key index (never used) goes."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('territories', '0001_initial'),
        ('veille', '0003_search_filter_lexemes_and_listing_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='newsitem',
            name='title_key',
            field=models.CharField(editable=False, max_length=500, verbose_name='titre normalisé'),
        ),
        migrations.AddIndex(
            model_name='newsitem',
            index=models.Index(django.db.models.functions.text.Substr('title_key', 1, 20), models.F('published_at'), name='veille_item_title_block'),
        ),
    ]
