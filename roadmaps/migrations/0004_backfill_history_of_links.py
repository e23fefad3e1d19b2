"""Give the versions recorded before links were tracked the links the object has today.

Before 0003 the history kept no links (préconisations, métiers, secteurs, pilotes, dispositifs; enjeux and
fiches-ambitions of a priority), so what they were at each earlier version is unknown. Copying today's links onto
every earlier version shows no invented change in the history, and restoring such a version leaves the links as
they are (which is what restoring did before).
"""

from django.db import migrations

LINKS = {
    "Action": {
        "naf_divisions": "nafdivision",
        "rome_codes": "romecode",
        "recommendations": "recommendation",
        "pilots": "user",
        "dispositifs": "dispositif",
    },
    "Priority": {"challenges": "challenge", "sheets": "ambitionsheet"},
}


def backfill(apps, schema_editor):
    for model_name, fields in LINKS.items():
        model = apps.get_model("roadmaps", model_name)
        history = apps.get_model("roadmaps", f"Historical{model_name}")
        owner = model_name.lower()
        records = {}
        for history_id, object_id in (
            history.objects.exclude(history_type="-").values_list("history_id", "id").iterator(chunk_size=2000)
        ):
            records.setdefault(object_id, []).append(history_id)
        if not records:
            continue
        for field_name, target in fields.items():
            through = getattr(model, field_name).through
            m2m_history = apps.get_model("roadmaps", f"Historical{model_name}_{field_name}")
            links = {}
            for through_id, object_id, target_id in through.objects.values_list("id", f"{owner}_id", f"{target}_id"):
                links.setdefault(object_id, []).append((through_id, target_id))
            rows = [
                m2m_history(
                    history_id=history_id, id=through_id, **{f"{owner}_id": object_id, f"{target}_id": target_id}
                )
                for object_id, object_links in links.items()
                for history_id in records.get(object_id, ())
                for through_id, target_id in object_links
            ]
            m2m_history.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0003_history_of_links")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
