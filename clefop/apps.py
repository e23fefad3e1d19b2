from django.apps import AppConfig


class ClefopConfig(AppConfig):
    name = "clefop"
    verbose_name = "Instances"
    # Extension points this app provides (declared in srefop_portal/common/hooks.py, checked by manage.py check)
    hooks = (
        "jobs",
        "reference.load_reference",
        "demo.load_demo",
        "panels.territory_panels",
        "staff.staff_tiles",
        "identity.has_pending_invitation",
        "identity.organisation_name_for_siret",
        "identity.accept_pending_invitations",
        "personal_data.export",
        "personal_data.erase",
    )
