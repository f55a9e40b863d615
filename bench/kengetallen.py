"""Speed of /kengetallen at scale: the whole page (every figure and table) as SWV staff and school staff.

Fills an EMPTY database (all tables are dropped first!) as bench/lijst.py does (the demo world plus
N generated hulpvragen with their status history, ``flask seed-bulk``), adds a TLV for every
generated hulpvraag in TLV afgegeven and a school budget per school and school year with one
award each, then measures through the Flask test client as a logged-in user: real views, real
queries, real templates. Prints median and p95 in milliseconds; asserts nothing.
(The bulk data has no process instances, so the open-tasks figure counts the demo world's only.)

Usage: .venv/bin/python bench/kengetallen.py [N=100000] [--database-url URL] [--rondes 30]
Target (issue 19): the page answers within 300 ms p95 on 100,000 hulpvragen, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.lijst import BULK_SCP, HX, PASSWORD, fill, login, make_app, report, timed  # noqa: E402
from models import TLV, Budget, Hulpvraag, School, Toekenning, User, db, utcnow  # noqa: E402
from models.user import user_school  # noqa: E402

SCHOOL = "bench-school"  # an aanvrager of one generated school, who can log in here


def fill_extra() -> None:
    """TLVs, budgets and a school account on top of the bulk data."""
    afgegeven = db.session.execute(sa.select(Hulpvraag.id, Hulpvraag.updated_at).where(
        Hulpvraag.status == "TLV afgegeven")).all()  # fmt: skip
    vandaag = utcnow().date()
    tlvs = [{"hulpvraag_id": hid, "besluit": "toekennen", "soort": ("SO", "SBO", "VSO")[hid % 3],
             "categorie": ("laag", "midden", "hoog", "nvt")[hid % 4], "afgiftedatum": moment.date(),
             "ingangsdatum": moment.date(), "einddatum": vandaag + timedelta(days=hid % 400 - 30), "motivering": "",
             "adviezen": [], "created_at": moment} for hid, moment in afgegeven]  # fmt: skip
    if tlvs:
        db.session.execute(sa.insert(TLV.__table__), tlvs)
    scholen = db.session.scalars(sa.select(School)).all()
    for jaar in range(vandaag.year - 5, vandaag.year + 1):
        for school in scholen:
            budget = Budget(swv_id=school.swv_id, regeling="schoolbudget", soort="school", school_id=school.id,
                            schooljaar=f"{jaar}-{jaar + 1}", bedrag=20000)  # fmt: skip
            db.session.add(budget)
            db.session.flush()
            db.session.add(Toekenning(budget_id=budget.id, aanvraagnummer="bench", bedrag=5000,
                                      besluitdatum=date(jaar, 10, 1)))  # fmt: skip
    school_id = db.session.scalar(sa.select(Hulpvraag.school_id).group_by(Hulpvraag.school_id)
                                  .order_by(sa.func.count().desc()).limit(1))  # fmt: skip
    user = User(swv_id=scholen[0].swv_id, username=SCHOOL, email="bench-school@bench.invalid", naam="Bench IB'er")
    user.set_rollen({"aanvrager"})
    user.set_password(PASSWORD)
    user.totp_secret = pyotp.random_base32()
    db.session.add(user)
    db.session.flush()
    db.session.execute(sa.insert(user_school).values(user_id=user.id, school_id=school_id))
    db.session.commit()
    print(f"extra: {len(tlvs)} TLVs, {len(scholen) * 6} budgets", flush=True)


def measure(client, rondes: int) -> None:  # type: ignore[no-untyped-def]
    def get(url: str) -> None:
        response = client.get(url, headers=HX)
        assert response.status_code == 200, (url, response.status_code)

    vandaag = utcnow().date()
    alles = f"van={vandaag.year - 6}-01-01&tot={vandaag.isoformat()}"
    report("page, last 12 months (default)", timed(rondes, lambda i: get("/kengetallen")))
    report("page, filtered on a title", timed(rondes, lambda i: get("/kengetallen?titel=KANS")))
    report("page, six years", timed(rondes, lambda i: get(f"/kengetallen?{alles}")))
    report("Excel export of one table (per month)", timed(rondes, lambda i: get("/kengetallen/export/maand.xlsx")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("aantal", nargs="?", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rondes", type=int, default=30)
    parser.add_argument("--vul-alleen", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bestaand", action="store_true", help="measure the database as it is (filled before)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    if args.vul_alleen:
        fill(url, args.aantal)
        with make_app(url).app_context():
            fill_extra()
        return
    if not args.bestaand:
        subprocess.run([sys.executable, __file__, str(args.aantal), "--database-url", url, "--vul-alleen"], check=True)
    app = make_app(url)
    with app.app_context():
        total = db.session.scalar(sa.text("SELECT count(*) FROM hulpvraag"))
        wijzigingen = db.session.scalar(sa.text("SELECT count(*) FROM statuswijziging"))
        print(f"database: {db.engine.dialect.name}; hulpvragen: {total}; statuswijzigingen: {wijzigingen}; "
              f"rounds: {args.rondes}")  # fmt: skip
        for username in ("beheerder", BULK_SCP, SCHOOL):
            client = app.test_client()
            login(client, username)
            print(f"as {username}:")
            measure(client, args.rondes)


if __name__ == "__main__":
    main()
