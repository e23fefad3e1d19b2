"""The personal-data export (``services.export_personal_data``) as a page a person can read: one section per app,
a table per list, a description list per record. The JSON keys stay machine-friendly; their labels are here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps

LABELS = {
    "compte": "Compte",
    "notifications": "Notifications",
    "taches": "Tâches de fond demandées",
    "email": "Adresse électronique",
    "prenom": "Prénom",
    "nom": "Nom",
    "structure": "Structure",
    "fonction": "Fonction",
    "telephone": "Téléphone",
    "inscrit_le": "Inscription",
    "derniere_connexion": "Dernière connexion",
    "equipe_cariforef": "Équipe Cariforef",
    "recoit_courriel_actions_en_retard": "Courriel des actions en retard",
    "adresses": "Adresses électroniques",
    "double_authentification": "Double authentification",
    "connexions_proconnect": "Connexions ProConnect",
    "identifiant": "Identifiant",
    "liee_le": "Liée le",
    "donnees": "Données transmises",
    "appartenances": "Appartenances aux instances",
    "invitations_recues": "Invitations reçues",
    "invitations_envoyees": "Invitations envoyées",
    "presences_aux_reunions": "Présences aux réunions",
    "reunions_creees": "Réunions créées",
    "documents_deposes": "Documents déposés",
    "calendrier_personnel": "Calendrier personnel (iCal)",
    "lien_actif": "Lien d’abonnement actif",
    "inscriptions_aux_sessions": "Inscriptions aux sessions de professionnalisation",
    "sessions_organisees": "Sessions organisées",
    "demandes_d_appui": "Demandes d’appui",
    "demandes_d_appui_suivies": "Demandes d’appui suivies",
    "dispositifs_modifies": "Dispositifs modifiés",
    "actions_pilotees": "Actions pilotées",
    "actions_modifiees": "Actions modifiées",
    "points_de_suivi": "Points de suivi",
    "etapes_des_feuilles_de_route": "Étapes des feuilles de route",
    "feuilles_de_route_creees": "Feuilles de route créées",
    "points_d_etape_annuels": "Points d’étape annuels",
    "documents_d_action_deposes": "Documents d’action déposés",
    "historique": "Historique des modifications",
    "abonnement": "Abonnement à la veille",
    "imports_de_reperes": "Imports de repères",
    "corrections_d_etiquetage": "Corrections d’étiquetage de la veille",
    "terme": "Terme",
    "territoire": "Territoire",
    "correction": "Correction",
    "modifications_de_composition": "Modifications de composition",
    "compositions_validees": "Compositions validées",
    "instance": "Instance",
    "qualite": "Qualité",
    "structure_representee": "Structure représentée",
    "debut": "Début",
    "fin": "Fin",
    "adresse": "Adresse",
    "envoyee_le": "Envoyée le",
    "statut": "Statut",
    "reunion": "Réunion",
    "date": "Date",
    "presence": "Présence",
    "document": "Document",
    "version": "Version",
    "fichier": "Fichier",
    "depose_le": "Déposé le",
    "session": "Session",
    "demandee_le": "Demandée le",
    "annulee_le": "Annulée le",
    "type": "Type",
    "besoin": "Besoin",
    "dispositif": "Dispositif",
    "modifie_le": "Modifié le",
    "modifiee_le": "Modifiée le",
    "action": "Action",
    "feuille_de_route": "Feuille de route",
    "avancement": "Avancement (%)",
    "commentaire": "Commentaire",
    "etape": "Étape",
    "creee_le": "Créée le",
    "cree_le": "Créé le",
    "objet": "Objet",
    "intitule": "Intitulé",
    "nature": "Nature",
    "frequence": "Fréquence",
    "territoires": "Territoires",
    "themes": "Thèmes",
    "dernier_envoi": "Dernier envoi",
    "depose_par_vous": "Déposé par vous",
    "annule_par_vous": "Annulé par vous",
    "commune": "Commune",
    "motif": "Motif",
    "message": "Message",
    "lien": "Lien",
    "courriels": "Courriels que le portail vous a adressés",
    "envoye_le": "Envoyé le",
    "texte": "Texte",
    "verified": "Vérifiée",
    "primary": "Principale",
}


SECTION_TITLES = {"common": "Courriels"}  # the common base holds the outbox


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def show(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, dict):
        return " ; ".join(f"{label(k)} : {show(v)}" for k, v in value.items())
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":  # ISO date-time → 03/12/2026 14:05
        return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}"
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text


@dataclass
class Block:
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # a table (list of records)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # a record

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


@dataclass
class Section:
    title: str
    slug: str
    blocks: list[Block]


def _block(key: str, value) -> Block:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for item in value for k in item))
        return Block(label(key), headers=[label(k) for k in keys], rows=[[show(i.get(k)) for k in keys] for i in value])
    if isinstance(value, dict):
        return Block(label(key), pairs=[(label(k), show(v)) for k, v in value.items()])
    if isinstance(value, list) and value:
        return Block(label(key), headers=[label(key)], rows=[[show(v)] for v in value])
    return Block(label(key), pairs=[(label(key), show(value))] if value not in (None, [], "") else [])


def sections(data: dict) -> list[Section]:
    result = []
    for key, value in data.items():
        if key == "compte":
            account = {k: v for k, v in value.items() if k != "adresses"}
            blocks = [_block("compte", account), _block("adresses", value.get("adresses", []))]
            result.append(Section("Compte", "compte", blocks))
        elif key in ("notifications", "taches"):
            result.append(Section(label(key), key, [_block(key, value)]))
        else:
            try:
                title = SECTION_TITLES.get(key) or apps.get_app_config(key).verbose_name
            except LookupError:
                title = label(key)
            blocks = [_block(k, v) for k, v in value.items()] if isinstance(value, dict) else [_block(key, value)]
            result.append(Section(str(title), key, blocks))
    return result
