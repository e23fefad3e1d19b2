"""Action documents get the ``file_type`` every stored document has (srefop_portal.common.documents.StoredFile).

Existing rows are filled from their content type (checked from the content at upload), else from their
file name's extension; nothing else changes.
"""

from pathlib import PurePath

from django.db import migrations, models

# Frozen copy of srefop_portal/common/filecheck.KINDS (content type -> code) as it was when this ran.
CODES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/csv": "csv",
    "image/png": "png",
    "image/jpeg": "jpg",
}


def fill_file_types(apps, schema_editor):
    ActionDocument = apps.get_model("roadmaps", "ActionDocument")
    changed = []
    for document in ActionDocument.objects.only("pk", "content_type", "original_name").iterator(chunk_size=500):
        code = CODES.get(document.content_type) or PurePath(document.original_name).suffix.lower().lstrip(".")
        document.file_type = code[:10]
        changed.append(document)
    ActionDocument.objects.bulk_update(changed, ["file_type"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0004_backfill_history_of_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="actiondocument",
            name="file_type",
            field=models.CharField(default="", max_length=10, verbose_name="type"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_file_types, migrations.RunPython.noop),
    ]
