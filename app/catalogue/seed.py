"""Demo catalogue at the Bordeaux scale: 42 equipment models, 1,600 services and a
repair service, alternatives, requests, budgets and usefulness marks. Bulk inserts only."""

import random
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select

from app.auth.models import User
from app.catalogue import footprint
from app.catalogue.footprint import (
    FORMER_REFURBISHED_NOTE,
    REFURBISHED_NOTE,
    REFURBISHED_SHARE,
)
from app.catalogue.models import (
    CatalogueBudget,
    CatalogueItem,
    CatalogueRequest,
    CatalogueRequestLine,
    CatalogueUsefulMark,
    catalogue_alternative,
)
from app.catalogue.queries import REPAIR_SERVICE_CODE
from app.catalogue.reference import BOAVIZTA_URL, archetype_reference
from app.core.i18n import collation_key
from app.core.models import Department
from app.core.time import local_zone, utcnow
from app.extensions import db


def description_shown(description: str, language: str) -> str:
    """An item's description, the former refurbished note in today's plain words."""
    if description == FORMER_REFURBISHED_NOTE.get(language):
        return REFURBISHED_NOTE[language]
    return description


# Demo items without reference data: the item page says, in the reader's language, that
# the figures are an estimate to replace with a cited measurement.
DEMO_SOURCE = footprint.DEMO_SOURCE

# code, category, archetype or None, power ('min'|'default'|'max'), refurbished,
# French name, English name, (embodied, kWh/year, lifetime) for estimates.
EQUIPMENT = (
    (
        "EQ-LAP-01",
        "laptop",
        "laptop-pro",
        "min",
        False,
        "Ultraportable 13 pouces",
        "13-inch ultraportable",
        None,
    ),
    (
        "EQ-LAP-02",
        "laptop",
        "laptop-pro",
        "default",
        False,
        "Portable standard 14 pouces",
        "Standard 14-inch laptop",
        None,
    ),
    (
        "EQ-LAP-03",
        "laptop",
        "laptop-pro",
        "max",
        False,
        "Portable station de travail 16 pouces",
        "16-inch workstation laptop",
        None,
    ),
    (
        "EQ-LAP-04",
        "laptop",
        "laptop-perso",
        "min",
        False,
        "Portable léger 14 pouces (gamme grand public)",
        "Light 14-inch laptop (consumer range)",
        None,
    ),
    (
        "EQ-LAP-05",
        "laptop",
        "laptop-perso",
        "default",
        False,
        "Portable 15 pouces (gamme grand public)",
        "15-inch laptop (consumer range)",
        None,
    ),
    (
        "EQ-LAP-06",
        "laptop",
        "laptop-pro",
        "min",
        True,
        "Ultraportable 13 pouces reconditionné",
        "Refurbished 13-inch ultraportable",
        None,
    ),
    (
        "EQ-LAP-07",
        "laptop",
        "laptop-pro",
        "default",
        True,
        "Portable 14 pouces reconditionné",
        "Refurbished 14-inch laptop",
        None,
    ),
    (
        "EQ-DSK-01",
        "desktop",
        "desktop-pro",
        "min",
        False,
        "Mini-PC de bureau",
        "Mini desktop PC",
        None,
    ),
    (
        "EQ-DSK-02",
        "desktop",
        "desktop-pro",
        "default",
        False,
        "Unité centrale standard",
        "Standard desktop tower",
        None,
    ),
    (
        "EQ-DSK-03",
        "desktop",
        "desktop-pro",
        "max",
        False,
        "Station graphique (SIG, CAO)",
        "Graphics workstation (GIS, CAD)",
        None,
    ),
    (
        "EQ-DSK-04",
        "desktop",
        "desktop-perso",
        "default",
        False,
        "Tour compacte",
        "Compact tower",
        None,
    ),
    (
        "EQ-DSK-05",
        "desktop",
        "desktop-pro",
        "min",
        True,
        "Mini-PC reconditionné",
        "Refurbished mini desktop PC",
        None,
    ),
    (
        "EQ-DSK-06",
        "desktop",
        "desktop-pro",
        "default",
        True,
        "Unité centrale reconditionnée",
        "Refurbished desktop tower",
        None,
    ),
    (
        "EQ-MON-01",
        "monitor",
        "monitor-default",
        "min",
        False,
        "Écran 22 pouces",
        "22-inch monitor",
        None,
    ),
    (
        "EQ-MON-02",
        "monitor",
        "monitor-default",
        "default",
        False,
        "Écran 24 pouces",
        "24-inch monitor",
        None,
    ),
    (
        "EQ-MON-03",
        "monitor",
        "monitor-default",
        "max",
        False,
        "Écran 32 pouces haute définition",
        "32-inch high-definition monitor",
        None,
    ),
    (
        "EQ-MON-04",
        "monitor",
        "monitor-default",
        "max",
        False,
        "Écran incurvé 34 pouces",
        "34-inch curved monitor",
        None,
    ),
    (
        "EQ-MON-05",
        "monitor",
        "monitor-default",
        "min",
        True,
        "Écran 22 pouces reconditionné",
        "Refurbished 22-inch monitor",
        None,
    ),
    (
        "EQ-MON-06",
        "monitor",
        "monitor-default",
        "default",
        True,
        "Écran 24 pouces reconditionné",
        "Refurbished 24-inch monitor",
        None,
    ),
    (
        "EQ-PHN-01",
        "smartphone",
        "smartphone-default",
        "min",
        False,
        "Smartphone d'entrée de gamme",
        "Entry-level smartphone",
        None,
    ),
    (
        "EQ-PHN-02",
        "smartphone",
        "smartphone-default",
        "default",
        False,
        "Smartphone standard",
        "Standard smartphone",
        None,
    ),
    (
        "EQ-PHN-03",
        "smartphone",
        "smartphone-default",
        "max",
        False,
        "Smartphone durci (terrain)",
        "Rugged smartphone (field work)",
        None,
    ),
    (
        "EQ-PHN-04",
        "smartphone",
        "smartphone-default",
        "default",
        True,
        "Smartphone reconditionné",
        "Refurbished smartphone",
        None,
    ),
    (
        "EQ-PHN-05",
        "smartphone",
        "smartphone-default",
        "min",
        True,
        "Smartphone d'entrée de gamme reconditionné",
        "Refurbished entry-level smartphone",
        None,
    ),
    (
        "EQ-TAB-01",
        "tablet",
        "tablet-default",
        "min",
        False,
        "Tablette 8 pouces",
        "8-inch tablet",
        None,
    ),
    (
        "EQ-TAB-02",
        "tablet",
        "tablet-default",
        "default",
        False,
        "Tablette 10 pouces",
        "10-inch tablet",
        None,
    ),
    (
        "EQ-TAB-03",
        "tablet",
        "tablet-default",
        "max",
        False,
        "Tablette durcie 12 pouces",
        "12-inch rugged tablet",
        None,
    ),
    (
        "EQ-TAB-04",
        "tablet",
        "tablet-default",
        "default",
        True,
        "Tablette 10 pouces reconditionnée",
        "Refurbished 10-inch tablet",
        None,
    ),
    (
        "EQ-TAB-05",
        "tablet",
        "tablet-default",
        "min",
        True,
        "Tablette 8 pouces reconditionnée",
        "Refurbished 8-inch tablet",
        None,
    ),
    (
        "EQ-PRT-01",
        "printer",
        None,
        None,
        False,
        "Imprimante jet d'encre individuelle",
        "Personal inkjet printer",
        (50, 15, 5),
    ),
    (
        "EQ-PRT-02",
        "printer",
        None,
        None,
        False,
        "Imprimante laser individuelle",
        "Personal laser printer",
        (120, 40, 5),
    ),
    (
        "EQ-PRT-03",
        "printer",
        None,
        None,
        False,
        "Multifonction partagée d'étage (A4)",
        "Shared floor multifunction printer (A4)",
        (450, 300, 6),
    ),
    (
        "EQ-PRT-04",
        "printer",
        None,
        None,
        False,
        "Multifonction partagée de service (A3)",
        "Shared department multifunction printer (A3)",
        (900, 600, 6),
    ),
    (
        "EQ-PRT-05",
        "printer",
        None,
        None,
        True,
        "Multifonction A3 reconditionnée",
        "Refurbished A3 multifunction printer",
        (250, 550, 5),
    ),
    ("EQ-ACC-01", "accessory", "usb-stick-default", "default", False, "Clé USB", "USB stick", None),
    (
        "EQ-ACC-02",
        "accessory",
        "hdd-default",
        "default",
        False,
        "Disque dur externe",
        "External hard disk",
        None,
    ),
    (
        "EQ-ACC-03",
        "accessory",
        "external-ssd-default",
        "default",
        False,
        "Disque SSD externe",
        "External SSD",
        None,
    ),
    (
        "EQ-ACC-04",
        "accessory",
        "box-default",
        "default",
        False,
        "Box 4G de télétravail",
        "4G home-working box",
        None,
    ),
    ("EQ-ACC-05", "accessory", None, None, False, "Clavier filaire", "Wired keyboard", (5, 0, 8)),
    ("EQ-ACC-06", "accessory", None, None, False, "Souris filaire", "Wired mouse", (3, 0, 6)),
    (
        "EQ-ACC-07",
        "accessory",
        None,
        None,
        False,
        "Casque audio avec micro",
        "Headset with microphone",
        (8, 1, 4),
    ),
    (
        "EQ-ACC-08",
        "accessory",
        None,
        None,
        True,
        "Station d'accueil reconditionnée",
        "Refurbished docking station",
        (12, 10, 6),
    ),
)

# Alternatives the demo draws itself do the same job as the item: "accessory" holds a
# 4G box and a mouse, which no one swaps for the other. These categories are one job
# each; elsewhere only the devices grouped here replace one another.
ONE_JOB_CATEGORIES = frozenset({"laptop", "desktop", "monitor", "smartphone", "tablet"})
SAME_JOB = {
    "personal-printer": ("EQ-PRT-01", "EQ-PRT-02"),
    "a3-printer": ("EQ-PRT-04", "EQ-PRT-05"),
    "external-disk": ("EQ-ACC-02", "EQ-ACC-03"),
}
# Made for one use (CAD, field work): an everyday device of the category does not replace them.
SPECIALISED = frozenset({"EQ-LAP-03", "EQ-DSK-03", "EQ-PHN-03", "EQ-TAB-03"})

SERVICE_WORDS = {
    "email": (
        ("Messagerie", "E-mail"),
        ("Listes de diffusion", "Mailing lists"),
        ("Boîte fonctionnelle", "Shared mailbox"),
        ("Lettre d'information", "Newsletter"),
    ),
    "storage": (
        ("Espace de stockage partagé", "Shared storage"),
        ("Archivage électronique", "Electronic archiving"),
        ("Sauvegarde des postes", "Workstation backup"),
        ("Partage de fichiers", "File sharing"),
    ),
    "collaboration": (
        ("Suite bureautique en ligne", "Online office suite"),
        ("Intranet", "Intranet"),
        ("Wiki d'équipe", "Team wiki"),
        ("Messagerie instantanée", "Instant messaging"),
        ("Agenda partagé", "Shared calendar"),
    ),
    "video": (
        ("Visioconférence", "Video conferencing"),
        ("Diffusion des conseils en vidéo", "Council meeting streaming"),
        ("Salle de visioconférence", "Video conferencing room"),
        ("Vidéothèque de formation", "Training video library"),
    ),
    "business_application": (
        ("Gestion des marchés publics", "Public procurement management"),
        ("Gestion des subventions", "Grant management"),
        ("Gestion des congés", "Leave management"),
        ("Paie", "Payroll"),
        ("Courrier entrant", "Incoming mail"),
        ("Collecte des déchets", "Waste collection"),
        ("Espaces verts", "Parks maintenance"),
        ("Autorisations d'urbanisme", "Planning permissions"),
        ("État civil", "Civil registry"),
        ("Restauration scolaire", "School catering"),
        ("Gestion du patrimoine", "Estate management"),
        ("Interventions de voirie", "Road works"),
        ("Relation usagers", "Citizen relations"),
        ("Comptabilité", "Accounting"),
        ("Système d'information géographique", "Geographic information system"),
        ("Gestion des flottes de véhicules", "Vehicle fleet management"),
    ),
    "website": (
        ("Site web", "Website"),
        ("Portail citoyen", "Citizen portal"),
        ("Démarches en ligne", "Online procedures"),
        ("Open data", "Open data"),
    ),
    "telephony": (
        ("Téléphonie sur IP", "IP telephony"),
        ("Centre d'appels", "Call centre"),
        ("Standard téléphonique", "Switchboard"),
    ),
}
SERVICE_COUNTS = {
    "email": 40,
    "storage": 90,
    "collaboration": 140,
    "video": 70,
    "business_application": 1000,
    "website": 210,
    "telephony": 50,
}  # 1,600 in all
SERVICE_BASE_KG = {
    "email": 10,
    "storage": 8,
    "collaboration": 5,
    "video": 12,
    "business_application": 3,
    "website": 1.5,
    "telephony": 4,
}


# The repair service the advice to repair before replacing links to (found by its code,
# `queries.REPAIR_SERVICE_CODE`). An estimate, as every demo service's figure is: spare
# parts and a technician's trip for about one repair a year.
REPAIR_SERVICE = {
    "name_fr": "Diagnostic et réparation d'un appareil",
    "name_en": "Device diagnosis and repair",
    "description_fr": "Un ordinateur, un écran ou un téléphone en panne est diagnostiqué et "
    "réparé par le support informatique avant tout remplacement. Chiffre estimé\u00a0: pièces "
    "détachées et déplacement pour environ une réparation par an.",
    "description_en": "A broken computer, monitor or phone is diagnosed and repaired by IT "
    "support before any replacement. Estimated figure: spare parts and travel for about "
    "one repair a year.",
    "annual_kgco2e": 6.0,
    "user_count": 800,
}


def repair_service_row(now: datetime) -> dict:
    """The demo's repair service, an estimate like the other demo services."""
    name_fr, name_en = REPAIR_SERVICE["name_fr"], REPAIR_SERVICE["name_en"]
    annual = REPAIR_SERVICE["annual_kgco2e"]
    return {
        "code": REPAIR_SERVICE_CODE,
        "kind": "service",
        "category": "repair",
        "name_fr": name_fr,
        "name_en": name_en,
        "sort_name_fr": collation_key(name_fr),
        "sort_name_en": collation_key(name_en),
        "description_fr": REPAIR_SERVICE["description_fr"],
        "description_en": REPAIR_SERVICE["description_en"],
        "search_text": footprint.normalise_search(
            f"{name_fr} {name_en} {REPAIR_SERVICE_CODE} repair"
        ),
        "status": "available",
        "use_kgco2e_per_year": annual,
        "annual_kgco2e": annual,
        "grade": footprint.grade_for("repair", annual),
        "source": DEMO_SOURCE,
        "source_url": "",
        "estimate": True,
        "user_count": REPAIR_SERVICE["user_count"],
        "created_at": now,
        "updated_at": now,
    }


def equipment_rows(now: datetime, grid: float) -> list[dict]:
    """The 42 equipment models, their figures from boaviztapi archetypes or marked estimates."""
    rows = []
    for code, category, archetype, power, refurbished, name_fr, name_en, estimate in EQUIPMENT:
        if archetype:
            ref = archetype_reference(archetype)
            kwh = {"min": ref.use_kwh_min, "default": ref.use_kwh_per_year, "max": ref.use_kwh_max}[
                power
            ]
            embodied, low, high = (
                ref.embodied_kgco2e,
                ref.embodied_min_kgco2e,
                ref.embodied_max_kgco2e,
            )
            source = ref.source
            if refurbished:
                embodied = round(embodied * REFURBISHED_SHARE[1], 2)
                low = round(low * REFURBISHED_SHARE[0], 2)
                high = round(high * REFURBISHED_SHARE[2], 2)
            lifetime = ref.lifetime_years
            kwh_low, kwh_high = ref.use_kwh_min, ref.use_kwh_max
            # The note says how the figure was derived: a share of the archetype's.
            note = REFURBISHED_NOTE if refurbished else None
        else:
            embodied, kwh, lifetime = estimate
            low = high = kwh_low = kwh_high = None
            source = DEMO_SOURCE
            # A hand estimate of the refurbished device itself, no share of anything:
            # the page's estimate notice says all there is to say.
            note = None
        use = footprint.use_kgco2e(kwh, grid)
        annual = footprint.annual_kgco2e(embodied, lifetime, use)
        rows.append(
            {
                "code": code,
                "kind": "equipment",
                "category": category,
                "name_fr": name_fr,
                "name_en": name_en,
                "sort_name_fr": collation_key(name_fr),
                "sort_name_en": collation_key(name_en),
                "description_fr": note["fr"] if note else "",
                "description_en": note["en"] if note else "",
                "search_text": footprint.normalise_search(f"{name_fr} {name_en} {code} {category}"),
                "status": "available",
                "embodied_kgco2e": embodied,
                "embodied_min_kgco2e": low,
                "embodied_max_kgco2e": high,
                "use_kwh_per_year": kwh,
                "use_kwh_min": kwh_low,
                "use_kwh_max": kwh_high,
                "grid_factor": grid,
                "use_kgco2e_per_year": use,
                "lifetime_years": lifetime,
                "annual_kgco2e": annual,
                "grade": footprint.grade_for(category, annual),
                "source": source,
                "source_url": BOAVIZTA_URL if archetype else "",
                "estimate": archetype is None,
                "user_count": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def service_rows(rng: random.Random, now: datetime, departments: list[Department]) -> list[dict]:
    """1,600 services named after what the metropolis runs."""
    rows = []
    n = 0
    for category, count in SERVICE_COUNTS.items():
        words = SERVICE_WORDS[category]
        for index in range(count):
            n += 1
            word_fr, word_en = words[index % len(words)]
            department = departments[(index // len(words)) % len(departments)]
            name_fr = f"{word_fr} – {department.name_fr}"
            name_en = f"{word_en} – {department.name_en}"
            annual = round(SERVICE_BASE_KG[category] * rng.lognormvariate(0, 0.7), 2)
            code = f"SV-{n:04d}"
            rows.append(
                {
                    "code": code,
                    "kind": "service",
                    "category": category,
                    "name_fr": name_fr,
                    "name_en": name_en,
                    "sort_name_fr": collation_key(name_fr),
                    "sort_name_en": collation_key(name_en),
                    "description_fr": "",
                    "description_en": "",
                    "search_text": footprint.normalise_search(
                        f"{name_fr} {name_en} {code} {category}"
                    ),
                    "status": "available" if rng.random() > 0.03 else "discontinued",
                    "use_kgco2e_per_year": annual,
                    "annual_kgco2e": annual,
                    "grade": footprint.grade_for(category, annual),
                    "source": DEMO_SOURCE,
                    "source_url": "",
                    "estimate": True,
                    "user_count": rng.randint(5, 20_000 if category == "email" else 2_000),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def seed_catalogue(rng: random.Random) -> None:
    """The demo catalogue and its requests, budgets and marks."""
    now = utcnow()
    zone = local_zone()
    grid = current_app.config["GRID_FACTOR_KGCO2E_PER_KWH"]
    departments = db.session.scalars(select(Department).order_by(Department.id)).all()
    db.session.execute(insert(CatalogueItem), equipment_rows(now, grid))
    db.session.execute(insert(CatalogueItem), service_rows(rng, now, departments))
    db.session.execute(insert(CatalogueItem), [repair_service_row(now)])
    items = db.session.execute(
        select(
            CatalogueItem.id,
            CatalogueItem.code,
            CatalogueItem.kind,
            CatalogueItem.category,
            CatalogueItem.name_en,
            CatalogueItem.annual_kgco2e,
            CatalogueItem.status,
        )
    ).all()
    _seed_alternatives(items)
    _seed_requests(rng, items, now, zone, departments)
    _seed_marks(rng, items)


def equipment_job(code: str, category: str) -> str | None:
    """What a demo device is for, when the demo knows; None when nothing else does it."""
    if code in SPECIALISED:
        return None
    if category in ONE_JOB_CATEGORIES:
        return category
    return next((job for job, codes in SAME_JOB.items() if code in codes), None)


def service_job(category: str, name_en: str) -> tuple[str, str]:
    """What a demo service does: its name says it before the department that runs it."""
    return category, name_en.partition(" – ")[0]


def _seed_alternatives(items) -> None:
    by_code = {i.code: i for i in items}
    pairs = set()
    equipment = [i for i in items if i.kind == "equipment"]
    for item in equipment:
        job = equipment_job(item.code, item.category)
        if job is None:
            continue
        lighter = sorted(
            (
                o
                for o in equipment
                if equipment_job(o.code, o.category) == job and o.annual_kgco2e < item.annual_kgco2e
            ),
            key=lambda o: o.annual_kgco2e,
        )[:2]
        pairs.update((item.id, o.id) for o in lighter)
    # Personal printers point to the shared floor printer: printing, with one device less.
    for code in ("EQ-PRT-01", "EQ-PRT-02"):
        pairs.add((by_code[code].id, by_code["EQ-PRT-03"].id))
    services = [i for i in items if i.kind == "service" and i.status == "available"]
    lightest = {}
    for s in sorted(services, key=lambda s: s.annual_kgco2e):
        lightest.setdefault(service_job(s.category, s.name_en), s)
    for s in services:
        lighter = lightest[service_job(s.category, s.name_en)]
        if s.annual_kgco2e > 3 * lighter.annual_kgco2e and s.id % 4 == 0:
            pairs.add((s.id, lighter.id))
    db.session.execute(
        insert(catalogue_alternative),
        [{"item_id": a, "alternative_id": b} for a, b in sorted(pairs)],
    )


def _seed_requests(rng, items, now: datetime, zone, departments) -> None:
    equipment = [i for i in items if i.kind == "equipment" and i.status == "available"]
    people = db.session.execute(
        select(User.id, User.department_id, User.email).where(User.department_id.is_not(None))
    ).all()
    demo = {p.email: p for p in people if p.email.endswith("@demo.empreinte.fr")}
    staff = [p for p in people if not p.email.endswith("@demo.empreinte.fr")]
    this_year = now.astimezone(zone).year
    start_this_year = datetime(this_year, 1, 1, tzinfo=zone).astimezone(UTC)
    requests, lines = [], []
    used: dict[tuple[int, int], float] = {}

    def add(person, status, decided_at, chosen):
        request_index = len(requests)
        submitted = decided_at - timedelta(days=rng.randint(1, 10)) if decided_at else None
        requests.append(
            {
                "user_id": person.id,
                "department_id": person.department_id,
                "status": status,
                "comment": "",
                "created_at": (submitted or now) - timedelta(days=1),
                "submitted_at": submitted if status != "draft" else None,
                "decided_at": decided_at if status in ("approved", "refused") else None,
                "decided_by_id": demo["admin@demo.empreinte.fr"].id
                if status in ("approved", "refused")
                else None,
                "decision_note": "",
            }
        )
        for item in chosen:
            quantity = rng.choice((1, 1, 1, 2, 5))
            lines.append(
                {
                    "request_id": request_index,
                    "item_id": item.id,
                    "quantity": quantity,
                    "annual_kgco2e": item.annual_kgco2e,
                }
            )
            if status == "approved":
                year = decided_at.astimezone(zone).year
                key = (person.department_id, year)
                used[key] = used.get(key, 0.0) + quantity * item.annual_kgco2e

    seconds_this_year = max(3600, int((now - start_this_year).total_seconds()) - 3600)
    for person in rng.sample(staff, min(len(staff), 600)):
        ago = rng.random()
        if ago < 0.45:
            decided = start_this_year + timedelta(seconds=rng.randint(0, seconds_this_year))
        elif ago < 0.9:
            decided = start_this_year - timedelta(seconds=rng.randint(3600, 364 * 86400))
        else:  # old devices, due for renewal
            decided = start_this_year - timedelta(days=rng.randint(800, 1800))
        status = "approved" if rng.random() < 0.85 else "refused"
        add(person, status, decided, rng.sample(equipment, rng.randint(1, 2)))
    for person in rng.sample(staff, min(len(staff), 40)):
        add(
            person,
            "submitted",
            now - timedelta(hours=rng.randint(2, 200)),
            rng.sample(equipment, 1),
        )
    by_code = {i.code: i for i in items}
    employee = demo["employee@demo.empreinte.fr"]
    add(employee, "approved", now - timedelta(days=40), [by_code["EQ-MON-02"]])
    add(employee, "submitted", now - timedelta(days=2), [by_code["EQ-PHN-02"]])
    add(employee, "draft", None, [by_code["EQ-LAP-02"]])
    # No explicit ids: PostgreSQL sequences must stay in step.
    ids = db.session.scalars(
        insert(CatalogueRequest).returning(CatalogueRequest.id, sort_by_parameter_order=True),
        requests,
    ).all()
    for line in lines:
        line["request_id"] = ids[line["request_id"]]
    db.session.execute(insert(CatalogueRequestLine), lines)

    budgets = []
    for department in departments:
        for year in (this_year - 1, this_year):
            spent = used.get((department.id, year), 0.0)
            reference = spent if year < this_year else spent * 1.3
            factor = rng.choice((0.7, 0.95, 1.2, 1.6, 2.0))
            budgets.append(
                {
                    "department_id": department.id,
                    "year": year,
                    "budget_kgco2e": max(100.0, round(reference * factor / 50) * 50),
                    "updated_at": now,
                }
            )
    db.session.execute(insert(CatalogueBudget), budgets)


def _seed_marks(rng, items) -> None:
    services = [i.id for i in items if i.kind == "service"]
    people = db.session.scalars(select(User.id)).all()
    pairs = set()
    for _ in range(3000):
        pairs.add((rng.choice(services), rng.choice(people)))
    db.session.execute(
        insert(CatalogueUsefulMark),
        [{"item_id": i, "user_id": u, "created_at": utcnow()} for i, u in sorted(pairs)],
    )
