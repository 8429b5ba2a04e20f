"""Demo data at the Bordeaux scale: communes, departments, employees, demo accounts.

Domains add their own demo data by registering a seeder with `register_seeder`;
`flask demo seed` runs the core first, then each seeder in order, in one transaction.
"""

import csv
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources

from sqlalchemy import func, insert, select, text

from app.auth.models import User, UserRole
from app.auth.services import hash_password, new_pseudonym
from app.core.i18n import alphabetical
from app.core.models import Commune, Department
from app.core.time import utcnow
from app.extensions import db

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo accounts only
DEMO_ACCOUNTS = (
    ("employee@demo.empreinte.fr", "Camille Martin", ("employee",)),
    ("organiser@demo.empreinte.fr", "Nora Benali", ("employee", "organiser")),
    ("agent@demo.empreinte.fr", "Julien Dupuy", ("employee", "agent")),
    ("admin@demo.empreinte.fr", "Hélène Laborde", ("employee", "admin")),
)

DIRECTIONS = (
    ("DNUM", "Direction du numérique et des systèmes d'information", "Digital and IT Department"),
    ("DRH", "Direction des ressources humaines", "Human Resources"),
    ("DFIN", "Direction des finances", "Finance"),
    ("DMOB", "Direction des mobilités", "Mobility"),
    ("DEAU", "Direction de l'eau", "Water"),
    ("DENV", "Direction de l'énergie et du climat", "Energy and Climate"),
    ("DNAT", "Direction de la nature", "Nature and Parks"),
    ("DURB", "Direction de l'urbanisme", "Urban Planning"),
    ("DHAB", "Direction de l'habitat", "Housing"),
    ("DVOI", "Direction de la voirie", "Roads"),
    ("DPRO", "Direction de la propreté", "Street Cleaning"),
    ("DDEC", "Direction de la gestion des déchets", "Waste Management"),
    ("DECO", "Direction du développement économique", "Economic Development"),
    ("DCUL", "Direction de la culture", "Culture"),
    ("DSPO", "Direction des sports", "Sports"),
    ("DJUR", "Direction des affaires juridiques", "Legal Affairs"),
    ("DACH", "Direction des achats", "Procurement"),
    ("DCOM", "Direction de la communication", "Communication"),
    ("DPAT", "Direction du patrimoine", "Buildings and Estates"),
    ("DLOG", "Direction de la logistique", "Logistics"),
    ("DSOC", "Direction de la cohésion sociale", "Social Cohesion"),
    ("DSAN", "Direction de la santé publique", "Public Health"),
    ("DEDU", "Direction de l'éducation", "Education"),
    ("DPET", "Direction de la petite enfance", "Early Childhood"),
    ("DSEC", "Direction de la sécurité civile", "Civil Protection"),
    ("DARC", "Direction des archives", "Archives"),
    ("DTOP", "Direction de la topographie et de la géomatique", "Surveying and GIS"),
    ("DPAR", "Direction de la participation citoyenne", "Citizen Participation"),
    ("DEUR", "Direction des affaires européennes", "European Affairs"),
    ("DAUD", "Direction de l'audit interne", "Internal Audit"),
    ("DGEN", "Direction générale des services", "General Management"),
    ("DINS", "Direction de l'innovation", "Innovation"),
)
FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Emma", "Jade", "Louise", "Alice",
    "Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Arthur", "Adam", "Raphaël", "Paul",
    "Yasmine", "Karim", "Sofia", "Mehdi", "Amina", "Thomas", "Julie", "Marie", "Pierre", "Anne",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet",
    "Francois", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clement", "Gauthier", "Dumont",
    "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gerard", "Nguyen", "Boyer",
    "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noel", "Meyer",
    "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour", "Blanchard", "Marie", "Barbier",
    "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre", "Renard",
    "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud",
    "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier",
)  # fmt: skip

Seeder = Callable[[random.Random], None]


def register_seeder(app, seeder: Seeder, order: int = 50) -> None:
    """Add a domain's demo-data function, run after the core in `order`."""
    app.extensions.setdefault("empreinte.seeders", []).append((order, seeder))


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count(User.id))) == 0


def load_communes() -> list[Commune]:
    """The communes of Bordeaux Métropole from the packaged CSV."""
    text = resources.files("app").joinpath("seed/communes.csv").read_text(encoding="utf-8")
    communes = [
        Commune(
            insee_code=row["insee_code"],
            name=row["name"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )
        for row in csv.DictReader(text.splitlines())
    ]
    db.session.add_all(communes)
    db.session.flush()
    return communes


def town_hall_fr(commune: str) -> str:
    """'Mairie de Pessac', 'Mairie du Bouscat', 'Mairie d'Eysines': French contracts and
    elides the preposition."""
    for article, preposition in (("Le ", "du "), ("La ", "de la "), ("Les ", "des ")):
        if commune.startswith(article):
            return f"Mairie {preposition}{commune[len(article) :]}"
    if commune[:1].lower() in "aeiouyàâéèêîôû":
        return f"Mairie d'{commune}"
    return f"Mairie de {commune}"


def seed_core(rng: random.Random, employees: int) -> None:
    """Communes, about 60 departments, the demo accounts and `employees` staff."""
    communes = load_communes()
    bordeaux = next(c for c in communes if c.name == "Bordeaux")
    departments = [
        Department(code=code, name_fr=fr, name_en=en, commune=bordeaux)
        for code, fr, en in DIRECTIONS
    ] + [
        Department(
            code=f"MAIRIE-{c.insee_code}",
            name_fr=town_hall_fr(c.name),
            name_en=f"{c.name} Town Hall",
            commune=c,
        )
        for c in communes
    ]
    db.session.add_all(departments)
    db.session.flush()

    password_hash = hash_password(DEMO_PASSWORD)
    taken: set[str] = set()
    now = utcnow()
    for email, name, roles in DEMO_ACCOUNTS:
        user = User(
            email=email,
            display_name=name,
            pseudonym=new_pseudonym(taken),
            password_hash=password_hash,
            department=departments[0],
            commune=bordeaux,
            email_opt_in=True,
            email_opt_in_changed_at=now,
        )
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
    db.session.flush()

    # Bulk insert: 20,000 ORM objects would take far longer than one executemany.
    weights = [6 if d.code.startswith("D") else 3 for d in departments]
    rows = []
    seen_emails: set[str] = set()
    for index in range(employees):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        # An address as a mail system writes it: "chloe.fernandez", not "chloé.fernandez".
        local = alphabetical(f"{first}.{last}".replace(" ", "-"))[0]
        email = f"{local}.{index}@agents.empreinte.fr"
        seen_emails.add(email)
        department = rng.choices(departments, weights)[0]
        rows.append(
            {
                "email": email,
                "display_name": f"{first} {last}",
                "pseudonym": new_pseudonym(taken),
                "password_hash": None,
                "department_id": department.id,
                "commune_id": department.commune_id,
                "leaderboard_visibility": rng.choices(["pseudonym", "name", "hidden"], [6, 3, 1])[
                    0
                ],
                "email_opt_in": rng.random() < 0.5,
                "session_token": f"{rng.getrandbits(128):032x}",
                "active": True,
                "created_at": now,
            }
        )
    db.session.execute(insert(User), rows)
    ids = db.session.scalars(select(User.id).where(User.email.like("%@agents.empreinte.fr"))).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "employee"} for i in ids])
    db.session.flush()


def seed_demo(app, employees: int, seed: int = 33063) -> None:
    """Seed the whole demo: core then each domain, in one transaction (caller commits)."""
    rng = random.Random(seed)
    seed_core(rng, employees)
    for _order, seeder in sorted(app.extensions.get("empreinte.seeders", []), key=lambda s: s[0]):
        seeder(rng)
        db.session.flush()


def refresh_planner_statistics() -> None:
    """VACUUM (ANALYZE) after the bulk load and its commit, on PostgreSQL.

    Until autovacuum gets to the new rows, PostgreSQL plans with the estimates of empty
    tables: the dashboard's lighter-choice query took 16 ms instead of 0.1 ms right after
    a seed. And autovacuum then came by minutes later, over 300,000 new rows, while the
    portal was in use (in `make bench`, two pages measured during it lost a third of
    their throughput). Done now, the visibility map also lets index-only scans skip the
    table. VACUUM runs outside a transaction. (SQLite plans well without statistics.)
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


@contextmanager
def checks_deferred_to_the_end(table: str) -> Iterator[None]:
    """Load a large table with its foreign keys and secondary indexes rebuilt once, after.

    On PostgreSQL, COPY into a table checks each foreign key row by row and updates each
    index row by row: for the demo's ~270,000 clean-up actions (six foreign keys, five
    indexes) that was most of the seed. Dropped inside the seed's transaction and
    recreated from their own definitions at the end, the keys are checked in one pass
    and the indexes built by sorting; a load that breaks a key still fails the seed.
    SQLite has nothing to gain: the block runs as it is.
    """
    if db.engine.dialect.name != "postgresql":
        yield
        return
    foreign_keys = db.session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f'"
        ),
        {"table": table},
    ).all()
    # Indexes of their own, not those behind the primary key or a unique constraint.
    indexes = db.session.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = CAST(:table AS regclass) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ),
        {"table": table},
    ).all()
    for name, _definition in foreign_keys:
        db.session.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    yield
    db.session.execute(text("SET LOCAL maintenance_work_mem = '128MB'"))
    for _name, definition in indexes:
        db.session.execute(text(definition))
    for name, definition in foreign_keys:
        db.session.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
