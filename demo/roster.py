"""A made-up but realistic roster: departments, levels 1 to 10, reporting lines up to a
CEO. Deterministic (the same size and seed give the same people), for the demo data and
the import benchmark; rows come out as the HR file has them, so they go through the
import's own checks."""

import random
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta

FIRST_NAMES = [
    "Ada", "Ben", "Chloé", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nikhil", "Olga", "Pablo", "Qi", "Rosa", "Sami", "Tara", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dario", "Esther", "Farah",
]  # fmt: skip
LAST_NAMES = [
    "Abebe", "Berg", "Castro", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lindqvist", "Mensah", "Novak", "Okafor", "Petrov", "Quinn", "Rossi",
    "Singh", "Tanaka", "Uddin", "Virtanen", "Wong", "Yilmaz", "Zimmermann", "Nair", "Silva",
]  # fmt: skip
# Titles of individual contributors; managers and directors get titles of their own.
DEPARTMENTS = {
    "Engineering": [
        "Software engineer",
        "Data analyst",
        "QA engineer",
        "Site reliability engineer",
    ],
    "Marketing": ["Marketing specialist", "Content strategist", "Social media specialist"],
    "Sales": ["Account executive", "Sales development rep", "Customer success specialist"],
    "Finance": ["Financial analyst", "Accountant", "Payroll specialist"],
    "HR": ["HR partner", "Recruiter", "People operations specialist"],
    "Operations": ["Operations analyst", "Supply chain planner", "Logistics coordinator"],
    "Legal": ["Paralegal", "Compliance analyst", "Contracts specialist"],
}
# A few departments sit in a division (their parent department): marketing in the
# commercial side run by sales, legal under finance, HR in operations.
DIVISIONS = {"Marketing": "Sales", "Legal": "Finance", "HR": "Operations"}
SITES = {
    "acme": [
        ("Berlin", "Europe/Berlin"),
        ("Lisbon", "Europe/Lisbon"),
        ("London", "Europe/London"),
        ("Warsaw", "Europe/Warsaw"),
    ],
    "globex": [
        ("New York", "America/New_York"),
        ("Chicago", "America/Chicago"),
        ("Austin", "America/Chicago"),
        ("Toronto", "America/Toronto"),
    ],
}


def demo_roster(
    *, slug: str, size: int, seed: int = 7, named: dict | None = None
) -> Iterator[tuple[int, dict]]:
    """``size`` employees of a company whose email domain is ``<slug>.example``.

    ``named`` places known people (e.g. the demo logins) by role: {"exec": ("Helen Ward",
    "exec@acme.example"), ...}; keys are "exec" (a vice-president), "mentee" (a director),
    "manager", "admin" (HR) and "mentor" (a junior).
    """
    rng = random.Random(f"{slug}-{seed}")  # noqa: S311 - made-up data, not secrets
    named = dict(named or {})
    sites = SITES.get(slug, SITES["acme"])
    departments = list(DEPARTMENTS)
    today = date(2026, 1, 1)
    rows: list[dict] = []
    named_numbers: set[str] = set()

    def person(
        level: int, department: str, manager: str, title: str, who: str | None = None
    ) -> dict:
        number = f"{slug[:1].upper()}{len(rows) + 1:06d}"
        if who and who in named:
            name, email = named.pop(who)
            named_numbers.add(number)
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            local = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
            email = f"{local.replace(' ', '.')}.{number.lower()}@{slug}.example"
        site, zone = rng.choice(sites)
        tenure_days = int(rng.uniform(0.3, 1.0) * 365 * max(level, 1) * 1.5)
        row = {
            "employee_number": number,
            "email": email,
            "name": name,
            "department": department,
            "division": DIVISIONS.get(department, ""),
            "job_title": title,
            "job_level": str(level),
            "manager_employee_number": manager,
            "hire_date": (today - timedelta(days=tenure_days)).isoformat(),
            "termination_date": "",
            "location": site,
            "time_zone": zone,
            "birth_year": str(2001 - level * 3 - rng.randint(0, 6)),
        }
        rows.append(row)
        return row

    ceo = person(10, "Operations", "", "Chief executive officer")
    heads = {}
    for index, department in enumerate(departments):
        who = "exec" if index == 0 else None
        heads[department] = person(9, department, ceo["employee_number"], f"VP {department}", who)
    leads = []
    for department in departments:
        for _ in range(2):
            who = "mentee" if department == "Operations" and "mentee" in named else None
            leads.append(
                person(
                    rng.choice([7, 8]),
                    department,
                    heads[department]["employee_number"],
                    f"Director, {department}",
                    who,
                )
            )
    managers = []
    for _ in range(max(len(departments), size // 10)):
        lead = rng.choice(leads)
        who = "manager" if lead["department"] == "HR" and "manager" in named else None
        who = who or ("admin" if lead["department"] == "HR" and "admin" in named else None)
        managers.append(
            person(
                rng.choice([5, 6]),
                lead["department"],
                lead["employee_number"],
                f"{lead['department']} manager",
                who,
            )
        )
    while len(rows) < size:
        boss = rng.choice(managers)
        who = "mentor" if boss["department"] == "Marketing" and "mentor" in named else None
        title = rng.choice(DEPARTMENTS[boss["department"]])
        person(rng.randint(1, 4), boss["department"], boss["employee_number"], title, who)
    # A few people who have left, as a real roster has.
    leavers = [row for row in rows[len(rows) // 2 :] if row["employee_number"] not in named_numbers]
    for row in rng.sample(leavers, k=max(1, size // 40)):
        tenure = (today - date.fromisoformat(row["hire_date"])).days
        days_ago = rng.randint(1, max(1, min(300, tenure - 1)))
        row["termination_date"] = (today - timedelta(days=days_ago)).isoformat()
    # Managers after their reports in the file, as HR exports often are.
    rng.shuffle(rows)
    for line, row in enumerate(rows, start=2):
        yield line, row


def write_roster_file(path: str, *, slug: str, size: int, columns: list[str]) -> None:
    """The roster as an HR file at ``path``. Plain Python, so a benchmark can run it in a
    process of its own and measure its own memory without the roster's."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for _line, row in demo_roster(slug=slug, size=size):
            writer.writerow(row)
