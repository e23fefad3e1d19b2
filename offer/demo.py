"""Demonstration data of the offre de services: ~40 dispositifs (État, Région and its recovery plan, France Travail,
Carif-Oref, OPCO, Agefiph, Missions locales...), 6 professionalisation sessions (one full, with a waiting list) and
support requests in several statuses. Everything is labelled démonstration. Loaded after the governance demo."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clefop.models import Body, BodyKind, Membership, Organisation, OrganisationKind, Position
from srefop_portal.common import notifications
from territories.models import Territory

from .models import (
    Dispositif,
    DispositifLevel,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    SupportKind,
    SupportRequest,
    SupportStatus,
)

L = DispositifLevel
DEMO_NOTE = " (démonstration)"

# carrier key → (organisation name, kind, département code or None)
CARRIERS = {
    "region": ("Région Pays de la Loire", OrganisationKind.REGION, None),
    "etat": ("Préfecture de région — DREETS Pays de la Loire", OrganisationKind.DDETS, None),
    "ddets44": ("DDETS Loire-Atlantique", OrganisationKind.DDETS, "44"),
    "ddets49": ("DDETS Maine-et-Loire", OrganisationKind.DDETS, "49"),
    "ddets85": ("DDETS Vendée", OrganisationKind.DDETS, "85"),
    "ft": ("France Travail Pays de la Loire", OrganisationKind.FRANCE_TRAVAIL, None),
    "ft_nantes": ("France Travail Nantes", OrganisationKind.FRANCE_TRAVAIL, "44"),
    "cariforef": ("Carif-Oref des Pays de la Loire", OrganisationKind.CARIFOREF, None),
    "opco_2i": ("OPCO 2i Pays de la Loire", OrganisationKind.OPCO, None),
    "opco_ep": ("OPCO EP Pays de la Loire", OrganisationKind.OPCO, None),
    "akto": ("AKTO Pays de la Loire", OrganisationKind.OPCO, None),
    "agefiph": ("Agefiph Pays de la Loire", OrganisationKind.AUTRE, None),
    "cap44": ("Cap emploi Loire-Atlantique", OrganisationKind.CAP_EMPLOI, "44"),
    "ml_nantes": ("Mission locale Nantes", OrganisationKind.MISSION_LOCALE, "44"),
    "ml_angers": ("Mission locale Angers", OrganisationKind.MISSION_LOCALE, "49"),
    "cd44": ("Conseil départemental Loire-Atlantique", OrganisationKind.DEPARTEMENT, "44"),
    "cd72": ("Conseil départemental Sarthe", OrganisationKind.DEPARTEMENT, "72"),
    "cci": ("CCI Pays de la Loire", OrganisationKind.CHAMBRE, None),
    "cma": ("Chambre de métiers et de l'artisanat Pays de la Loire", OrganisationKind.CHAMBRE, None),
    "transitions_pro": ("Transitions Pro Pays de la Loire", OrganisationKind.AUTRE, None),
}

# (name, carrier, level, territories (codes or "dep:44"), publics, themes, description, eligibility, how_to)
DISPOSITIFS = [
    (
        "Contrat d'engagement jeune (CEJ)",
        "ft",
        L.NATIONAL,
        [],
        ["jeunes"],
        ["insertion", "orientation"],
        "Accompagnement intensif de 15 à 20 heures par semaine vers l'emploi, avec une allocation.",
        "Jeunes de 16 à 25 ans (29 ans en situation de handicap) sans emploi ni formation.",
        "Orientation par France Travail ou la Mission locale.",
    ),
    (
        "Préparation opérationnelle à l'emploi individuelle (POEI)",
        "ft",
        L.NATIONAL,
        [],
        ["demandeurs_emploi"],
        ["recrutement", "formation"],
        "Formation financée avant l'embauche pour adapter un demandeur d'emploi au poste proposé.",
        "Offre d'emploi en CDI, CDD ou alternance de 6 mois au moins.",
        "L'employeur contacte son agence France Travail avant la formation.",
    ),
    (
        "Préparation opérationnelle à l'emploi collective (POEC)",
        "opco_2i",
        L.REGIONAL,
        [],
        ["demandeurs_emploi"],
        ["recrutement", "formation", "mutations_economiques"],
        "Formations collectives pour répondre aux besoins de recrutement d'une branche industrielle.",
        "Demandeurs d'emploi inscrits à France Travail.",
        "Projet porté par l'OPCO avec France Travail.",
    ),
    (
        "Immersion professionnelle (PMSMP)",
        "ft",
        L.NATIONAL,
        [],
        ["demandeurs_emploi", "jeunes", "handicap"],
        ["orientation", "recrutement", "reconversion"],
        "Période de mise en situation en milieu professionnel pour découvrir un métier ou confirmer un projet.",
        "Personnes accompagnées par un prescripteur (France Travail, Mission locale, Cap emploi).",
        "Convention signée sur immersion-facile.",
    ),
    (
        "Méthode de recrutement par simulation (MRS)",
        "ft",
        L.NATIONAL,
        [],
        ["demandeurs_emploi", "entreprises"],
        ["recrutement"],
        "Recrutement sur les habiletés plutôt que sur le diplôme ou l'expérience.",
        "Entreprises ayant des besoins de recrutement en volume.",
        "Contacter le conseiller entreprise de l'agence.",
    ),
    (
        "Action de formation préalable au recrutement (AFPR)",
        "ft_nantes",
        L.LOCAL,
        ["44-NAN"],
        ["demandeurs_emploi"],
        ["recrutement", "formation"],
        "Formation courte avant un recrutement dans une entreprise de la métropole nantaise.",
        "Offre d'emploi de 6 à 12 mois.",
        "Agences France Travail de Nantes.",
    ),
    (
        "Plan régional de formation — PRF « Visa métiers »",
        "region",
        L.REGIONAL,
        [],
        ["demandeurs_emploi"],
        ["formation", "reconversion"],
        "Formations qualifiantes gratuites vers les métiers qui recrutent en Pays de la Loire.",
        "Demandeurs d'emploi, jeunes et adultes.",
        "Inscription après validation du projet par un conseiller.",
    ),
    (
        "Plan de relance régional — Pass Compétences",
        "region",
        L.REGIONAL,
        [],
        ["salaries", "demandeurs_emploi"],
        ["mutations_economiques", "reconversion", "formation"],
        "Volet compétences du plan de relance de la Région : financement de parcours vers les secteurs en transition.",
        "Actifs des secteurs fragilisés ; demandeurs d'emploi.",
        "Dossier via la plateforme régionale.",
    ),
    (
        "Plan de relance régional — Aide à l'embauche d'apprentis",
        "region",
        L.REGIONAL,
        [],
        ["entreprises", "jeunes"],
        ["apprentissage", "recrutement"],
        "Aide régionale complémentaire pour les TPE qui recrutent un premier apprenti.",
        "Entreprises de moins de 11 salariés.",
        "Demande en ligne dans les 6 mois après la signature du contrat.",
    ),
    (
        "Prépa apprentissage",
        "region",
        L.REGIONAL,
        [],
        ["jeunes"],
        ["apprentissage", "orientation"],
        "Parcours de quelques semaines pour préparer l'entrée en apprentissage.",
        "Jeunes de 16 à 29 ans sans qualification.",
        "Orientation par la Mission locale.",
    ),
    (
        "Chèque mobilité formation",
        "region",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "jeunes"],
        ["mobilite"],
        "Aide aux frais de transport et d'hébergement pendant une formation éloignée du domicile.",
        "Stagiaires de la formation professionnelle du PRF.",
        "Demande auprès de l'organisme de formation.",
    ),
    (
        "Orientation régionale — Orientaction",
        "region",
        L.REGIONAL,
        [],
        ["scolaires", "jeunes", "salaries"],
        ["orientation"],
        "Information sur les métiers et les formations : forums, ateliers et ressources en ligne.",
        "Tout public.",
        "Accès libre.",
    ),
    (
        "Parcours emploi compétences (PEC)",
        "etat",
        L.NATIONAL,
        [],
        ["demandeurs_emploi", "rsa", "qpv"],
        ["insertion"],
        "Contrat aidé dans le secteur non marchand, avec formation et accompagnement.",
        "Personnes éloignées de l'emploi, sur prescription.",
        "Prescription France Travail, Mission locale ou Cap emploi.",
    ),
    (
        "Insertion par l'activité économique (IAE)",
        "etat",
        L.NATIONAL,
        [],
        ["rsa", "demandeurs_emploi", "qpv"],
        ["insertion"],
        "Ateliers et chantiers d'insertion, entreprises d'insertion, associations intermédiaires.",
        "Personnes cumulant des difficultés sociales et professionnelles.",
        "Orientation via la plateforme de l'inclusion.",
    ),
    (
        "FNE-Formation",
        "etat",
        L.NATIONAL,
        [],
        ["salaries", "entreprises"],
        ["mutations_economiques", "formation"],
        "Financement de formations des salariés d'entreprises en mutation ou en difficulté.",
        "Entreprises engagées dans une transition (écologique, numérique).",
        "Demande auprès de l'OPCO.",
    ),
    (
        "Transitions collectives (Transco)",
        "transitions_pro",
        L.REGIONAL,
        [],
        ["salaries"],
        ["reconversion", "mutations_economiques"],
        "Reconversion de salariés dont l'emploi est fragilisé vers un métier porteur du même bassin.",
        "Salariés d'entreprises ayant un accord GEPP.",
        "Dossier porté par l'employeur.",
    ),
    (
        "Projet de transition professionnelle (PTP)",
        "transitions_pro",
        L.REGIONAL,
        [],
        ["salaries"],
        ["reconversion", "formation"],
        "Congé rémunéré pour suivre une formation certifiante et changer de métier.",
        "Salariés justifiant d'une ancienneté suffisante.",
        "Dossier en ligne auprès de Transitions Pro.",
    ),
    (
        "Pro-A (reconversion ou promotion par l'alternance)",
        "akto",
        L.NATIONAL,
        [],
        ["salaries"],
        ["reconversion", "apprentissage"],
        "Alternance pour les salariés en poste, vers une qualification supérieure.",
        "Salariés en CDI sans licence.",
        "Avenant au contrat de travail, demande à l'OPCO.",
    ),
    (
        "Diagnostic RH TPE-PME",
        "opco_ep",
        L.REGIONAL,
        [],
        ["entreprises"],
        ["recrutement", "mutations_economiques"],
        "Diagnostic des besoins en compétences et plan d'action pour les petites entreprises.",
        "Entreprises de moins de 50 salariés.",
        "Contacter le conseiller de l'OPCO.",
    ),
    (
        "Aide à l'adaptation des situations de travail",
        "agefiph",
        L.REGIONAL,
        [],
        ["handicap", "entreprises"],
        ["handicap"],
        "Financement de l'aménagement des postes de travail des personnes handicapées.",
        "Entreprises du secteur privé.",
        "Demande en ligne sur le site de l'Agefiph.",
    ),
    (
        "Accompagnement Cap emploi vers l'emploi",
        "cap44",
        L.DEPARTEMENTAL,
        ["dep:44"],
        ["handicap"],
        ["handicap", "insertion"],
        "Accompagnement spécialisé des personnes en situation de handicap.",
        "Bénéficiaires de l'obligation d'emploi.",
        "Orientation par France Travail ou prise de contact directe.",
    ),
    (
        "Garantie jeunes mobilité — location de scooters",
        "ml_nantes",
        L.LOCAL,
        ["44-NAN"],
        ["jeunes"],
        ["mobilite"],
        "Location solidaire de deux-roues pour se rendre en formation ou au travail.",
        "Jeunes accompagnés par la Mission locale.",
        "Demande au conseiller.",
    ),
    (
        "Logement jeunes actifs — Nantes",
        "ml_nantes",
        L.LOCAL,
        ["44-NAN"],
        ["jeunes"],
        ["logement"],
        "Accès à des logements temporaires pour les jeunes en alternance ou en premier emploi.",
        "Jeunes de 18 à 30 ans.",
        "Dossier auprès de la Mission locale.",
    ),
    (
        "Permis de conduire — aide départementale",
        "cd44",
        L.DEPARTEMENTAL,
        ["dep:44"],
        ["rsa", "jeunes"],
        ["mobilite", "insertion"],
        "Participation au financement du permis B pour les personnes en insertion.",
        "Bénéficiaires du RSA et jeunes suivis.",
        "Prescription par le référent.",
    ),
    (
        "Référents de parcours RSA",
        "cd72",
        L.DEPARTEMENTAL,
        ["dep:72"],
        ["rsa"],
        ["insertion"],
        "Accompagnement global des bénéficiaires du RSA vers l'emploi.",
        "Bénéficiaires du RSA.",
        "Orientation par le Département.",
    ),
    (
        "Cité éducative et emploi des quartiers — Angers",
        "ml_angers",
        L.LOCAL,
        ["49-ANG"],
        ["qpv", "jeunes"],
        ["insertion", "orientation"],
        "Actions de repérage et d'accompagnement des jeunes des quartiers prioritaires.",
        "Jeunes des QPV d'Angers.",
        "Contact Mission locale Angers.",
    ),
    (
        "Plan de mobilisation emploi — Maine-et-Loire",
        "ddets49",
        L.DEPARTEMENTAL,
        ["dep:49"],
        ["demandeurs_emploi", "entreprises"],
        ["recrutement"],
        "Actions de l'État avec les partenaires pour les métiers en tension du département.",
        "Entreprises et demandeurs d'emploi du département.",
        "Contacter la DDETS.",
    ),
    (
        "Job dating saisonniers — Vendée littoral",
        "ddets85",
        L.LOCAL,
        ["85-LIT"],
        ["demandeurs_emploi", "jeunes"],
        ["recrutement", "logement"],
        "Rencontres employeurs-candidats pour la saison touristique, avec une solution de logement.",
        "Tout public.",
        "Inscription en agence.",
    ),
    (
        "Sessions d'information métiers « Industrie »",
        "opco_2i",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "scolaires"],
        ["orientation", "recrutement"],
        "Visites d'entreprises et découverte des métiers industriels.",
        "Tout public.",
        "Programme sur le site de l'OPCO.",
    ),
    (
        "Création d'entreprise — Pass Créateur",
        "region",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "salaries"],
        ["creation_entreprise"],
        "Accompagnement et prêt d'honneur pour les créateurs et repreneurs.",
        "Créateurs d'entreprise en Pays de la Loire.",
        "Via les réseaux d'accompagnement.",
    ),
    (
        "Accompagnement à la création — CCI",
        "cci",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "salaries"],
        ["creation_entreprise"],
        "Formations « 5 jours pour entreprendre » et suivi post-création.",
        "Porteurs de projet.",
        "Inscription auprès de la CCI.",
    ),
    (
        "Apprentissage dans l'artisanat — développeurs de l'alternance",
        "cma",
        L.REGIONAL,
        [],
        ["entreprises", "jeunes"],
        ["apprentissage", "recrutement"],
        "Mise en relation des artisans et des candidats à l'apprentissage.",
        "Entreprises artisanales.",
        "Contacter la chambre de métiers.",
    ),
    (
        "Compétences clés — savoirs de base",
        "region",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "rsa"],
        ["competences_de_base"],
        "Formations aux savoirs de base (français, calcul, numérique).",
        "Personnes ayant des difficultés avec les savoirs de base.",
        "Prescription par un conseiller.",
    ),
    (
        "Centre de ressources illettrisme",
        "cariforef",
        L.REGIONAL,
        [],
        ["professionnels"],
        ["competences_de_base"],
        "Outils et professionnalisation des acteurs sur la lutte contre l'illettrisme.",
        "Professionnels de l'accompagnement.",
        "Contacter le Carif-Oref.",
    ),
    (
        "Offre de formation en ligne — Choisir mon métier",
        "cariforef",
        L.REGIONAL,
        [],
        ["demandeurs_emploi", "jeunes", "professionnels"],
        ["orientation", "formation"],
        "Base de l'offre de formation régionale et fiches métiers.",
        "Tout public.",
        "Accès libre en ligne.",
    ),
    (
        "Appui aux Clefop — diagnostics territoriaux",
        "cariforef",
        L.REGIONAL,
        [],
        ["professionnels"],
        ["mutations_economiques", "orientation"],
        "Portraits de territoire, indicateurs emploi-formation et animation.",
        "Instances du Crefop.",
        "Demande d'appui sur le portail.",
    ),
    (
        "Service public régional de l'orientation — VAE",
        "region",
        L.REGIONAL,
        [],
        ["salaries", "demandeurs_emploi"],
        ["reconversion", "orientation"],
        "Information et accompagnement à la validation des acquis de l'expérience.",
        "Toute personne justifiant d'une expérience.",
        "Points relais conseil VAE.",
    ),
    (
        "Emploi des seniors — accompagnement renforcé",
        "ft",
        L.NATIONAL,
        [],
        ["seniors"],
        ["insertion", "recrutement"],
        "Accompagnement intensif et mise en relation pour les plus de 50 ans.",
        "Demandeurs d'emploi de 50 ans et plus.",
        "Auprès du conseiller.",
    ),
    (
        "Égalité professionnelle — mixité des métiers",
        "etat",
        L.REGIONAL,
        [],
        ["femmes", "scolaires"],
        ["orientation"],
        "Actions pour diversifier les choix d'orientation des filles et des garçons.",
        "Établissements et entreprises.",
        "Contacter la DREETS.",
    ),
    (
        "Aide à la mobilité — France Travail",
        "ft",
        L.NATIONAL,
        [],
        ["demandeurs_emploi"],
        ["mobilite"],
        "Prise en charge de frais de déplacement, repas et hébergement pour un entretien ou une formation.",
        "Demandeurs d'emploi sous conditions.",
        "Demande dans l'espace personnel.",
    ),
]

SESSIONS = [
    # (title, kind, territory code, days from now, hour, duration hours, capacity, place, video)
    (
        "Mobiliser l'offre de services sur son territoire",
        SessionKind.WEBINAR,
        None,
        5,
        10,
        1.5,
        100,
        "",
        "https://visio.demo.srefop.fr/offre",
    ),
    (
        "Animer un Clefop : méthodes et outils",
        SessionKind.WORKSHOP,
        "44-NAN",
        1,
        9,
        3,
        3,
        "Carif-Oref, Nantes — salle Loire",
        "",
    ),
    (
        "Les métiers en tension en Maine-et-Loire",
        SessionKind.DAY,
        "49-ANG",
        21,
        9,
        7,
        40,
        "Maison de l'emploi, Angers",
        "",
    ),
    (
        "Lire les repères territoriaux",
        SessionKind.WEBINAR,
        None,
        35,
        14,
        1.5,
        150,
        "",
        "https://visio.demo.srefop.fr/reperes",
    ),
    ("Rencontre régionale des animateurs Clefop", SessionKind.DAY, None, 60, 9, 7, 80, "Hôtel de Région, Nantes", ""),
    (
        "Construire une fiche action",
        SessionKind.WORKSHOP,
        "72-LMA",
        -10,
        14,
        3,
        15,
        "Le Mans — salle des partenaires",
        "",
    ),
]


def _carrier(key: str) -> Organisation:
    from territories.models import Departement

    name, kind, dep_code = CARRIERS[key]
    departement = Departement.objects.get(code=dep_code) if dep_code else None
    organisation, _ = Organisation.objects.get_or_create(
        name=name, kind=kind, departement=departement, defaults={"is_demo": True}
    )
    return organisation


@transaction.atomic
def load_offer_demo() -> str:
    from . import services

    if Dispositif.objects.filter(is_demo=True).exists():
        return "offre de services déjà chargée"
    today = timezone.localdate()
    territories = {t.code: t for t in Territory.objects.all()}
    carriers = {key: _carrier(key) for key in CARRIERS}
    created = 0
    for index, (name, carrier, level, places, publics, themes, description, eligibility, how_to) in enumerate(
        DISPOSITIFS
    ):
        codes = []
        for place in places:
            if place.startswith("dep:"):
                codes.extend(code for code in territories if code.startswith(place[4:] + "-"))
            else:
                codes.append(place)
        dispositif = Dispositif.objects.create(
            name=name,
            carrier=carriers[carrier],
            level=level,
            publics=publics,
            themes=themes,
            description=description + DEMO_NOTE,
            eligibility=eligibility,
            how_to=how_to,
            contact="contact@demo.srefop.fr",
            url="https://www.demo.srefop.fr/dispositifs",
            valid_from=datetime.date(today.year, 1, 1),
            # Every seventh entry has not been reviewed for more than a year: its editors see it flagged.
            last_reviewed_on=today - datetime.timedelta(days=400 if index % 7 == 3 else 30 + index * 5),
            is_demo=True,
        )
        dispositif.territories.set([territories[c] for c in codes if c in territories])
        created += 1

    staff = User.objects.filter(is_cariforef_staff=True).order_by("pk").first()
    people = list(User.objects.filter(is_demo=True, is_cariforef_staff=False).order_by("email")[:12])
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sessions = []
    for title, kind, code, days, hour, hours, capacity, place, video in SESSIONS:
        start = timezone.localtime(now + datetime.timedelta(days=days)).replace(hour=hour)
        session = Session.objects.create(
            title=title,
            kind=kind,
            territory=territories.get(code) if code else None,
            start=start,
            end=start + datetime.timedelta(hours=hours),
            place=place,
            video_url=video,
            capacity=capacity,
            audience="Animateur·rices et membres des Clefop, professionnels de l'accompagnement" + DEMO_NOTE,
            programme="Accueil et tour de table\nApports du Carif-Oref\nTravaux en sous-groupes\nSynthèse",
            speakers="Équipe du Carif-Oref des Pays de la Loire (démonstration)",
            organiser=staff,
            is_demo=True,
        )
        sessions.append(session)
    # The workshop of tomorrow is full, with a waiting list.
    full = sessions[1]
    for offset, person in enumerate(people[:5]):
        Registration.objects.create(
            session=full,
            user=person,
            status=RegistrationStatus.REGISTERED if offset < full.capacity else RegistrationStatus.WAITING,
            requested_at=now - datetime.timedelta(days=10 - offset),
        )
    for person in people[5:9]:
        Registration.objects.create(session=sessions[0], user=person, status=RegistrationStatus.REGISTERED)
    for offset, person in enumerate(people[:6]):
        Registration.objects.create(
            session=sessions[5], user=person, status=RegistrationStatus.REGISTERED, attended=offset != 2
        )

    bodies = {b.territory.code: b for b in Body.objects.filter(kind=BodyKind.CLEFOP).select_related("territory")}
    animateurs = {
        m.body_id: m.user
        for m in Membership.objects.active()
        .filter(position=Position.ANIMATEUR, body__kind=BodyKind.CLEFOP)
        .select_related("user")
    }
    requests = [
        (
            "44-NAN",
            SupportKind.PROFESSIONALISATION,
            SupportStatus.IN_PROGRESS,
            "Former les membres du groupe de travail mobilité à la lecture des repères territoriaux.",
        ),
        (
            "49-ANG",
            SupportKind.NEWSLETTER,
            SupportStatus.DONE,
            "Présenter la démarche « métiers en tension » du Clefop dans la prochaine lettre d'information.",
        ),
        (
            "72-LMA",
            SupportKind.TOOLING,
            SupportStatus.NEW,
            "Disposer d'un modèle de tableau de bord pour le suivi des fiches actions.",
        ),
        (
            "85-LIT",
            SupportKind.PROJECT_GROUP,
            SupportStatus.REFUSED,
            "Participation du Carif-Oref au groupe projet sur l'emploi saisonnier.",
        ),
    ]
    with notifications.mail_suspended():
        for code, kind, status, need in requests:
            body = bodies.get(code)
            requester = animateurs.get(body.pk) if body else None
            if body is None or requester is None:
                continue
            support = services.create_support_request(body=body, requester=requester, kind=kind, need=need + DEMO_NOTE)
            SupportRequest.objects.filter(pk=support.pk).update(is_demo=True)
            if status != SupportStatus.NEW and staff is not None:
                messages = {
                    SupportStatus.IN_PROGRESS: "Nous vous proposons deux dates en visioconférence.",
                    SupportStatus.DONE: "L'article paraîtra dans la lettre du mois prochain.",
                    SupportStatus.REFUSED: "Le Carif-Oref ne peut pas s'engager sur ce groupe cette année.",
                }
                services.update_support_request(
                    request=support, by=staff, status=status, assignee=staff, message=messages[status]
                )
    return (
        f"offre de services : {created} dispositifs, {len(sessions)} sessions de professionnalisation "
        f"(dont une complète avec liste d'attente), {len(requests)} demandes d'appui"
    )


def load_demo() -> dict:
    return {"message": load_offer_demo(), "accounts": []}
