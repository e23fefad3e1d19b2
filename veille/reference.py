from .tagging import ensure_default_themes


def load_reference() -> str:
    created = ensure_default_themes()
    return f"veille : {created} thème(s) créé(s) (emploi, formation, orientation, économie...)"
