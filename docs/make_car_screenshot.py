"""Render docs/screenshots/car.png: page 1 of the CAR of a closed NC, from a throwaway in-memory database.

    .venv/bin/python docs/make_car_screenshot.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_to_png(pdf: bytes, out: Path) -> Path:
    """First page at 60 dpi with poppler's pdftoppm (apt install poppler-utils)."""
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm is missing: apt install poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "car.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(Path(folder) / "car")], check=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(folder) / "car.png", out)
    return out


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "clauseten.test_settings"
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0)

    from clauseten.accounts.roles import Role
    from clauseten.accounts.services import user_create
    from clauseten.catalog.models import ManagementSystem
    from clauseten.nonconformities.scenarios import Cast, report, walk
    from clauseten.nonconformities.selectors import nonconformity_detail
    from clauseten.reports.car import render_car_pdf

    ManagementSystem.objects.create(name="ISMS", standards="ISO/IEC 27001:2022", scope="Head office and two sites")
    people = {name: user_create(username=name.lower(), first_name=name, last_name=last, roles=[role])
              for name, last, role in [("Rita", "Reyes", Role.REPORTER), ("Mona", "Meyer", Role.MANAGER),
                                       ("Omar", "Osei", Role.ACTION_OWNER), ("Olga", "Ortiz", Role.ACTION_OWNER),
                                       ("Arun", "Atwal", Role.APPROVER)]}
    cast = Cast(reporter=people["Rita"], manager=people["Mona"], owner=people["Omar"], action_owner=people["Olga"],
                approver=people["Arun"])
    nc = walk(report(cast), cast, "closed")
    pdf = render_car_pdf(nonconformity_detail(people["Mona"], nc.reference))
    print(pdf_to_png(pdf, ROOT / "docs" / "screenshots" / "car.png"))


if __name__ == "__main__":
    main()
