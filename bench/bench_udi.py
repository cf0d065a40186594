"""UDI database submissions at a large maker's scale. Goals: where 1,000 devices (a unit DI
and two package DIs each) stand with a database, checked against its field rules, in ≤ 1 s;
the bulk file of all 1,000 prepared (written, fingerprinted, stored, audited) in ≤ 5 s per
database.

    python bench/bench_udi.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_udi.py    # PostgreSQL
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.catalog.choices import (  # noqa: E402
    IssuingAgency,
    ItemKind,
    PackagingLevel,
    SterilizationMethod,
)
from medtrace.catalog.models import DeviceIdentifier, Item  # noqa: E402
from medtrace.org import services as org  # noqa: E402
from medtrace.scan.checks import gs1_check_digit  # noqa: E402
from medtrace.udi import selectors, services  # noqa: E402
from medtrace.udi.choices import Database  # noqa: E402

DEVICES = 1000
GOALS = {"statuses": 1000.0, "prepare": 5000.0}


def gtin(indicator: str, number: int) -> str:
    body = f"{indicator}950600{number:06d}"
    return body + gs1_check_digit(body)


def setup():
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    user = create_user(organization=organization, username="bench-ra", password="Bench-pw-2026!")
    org.grant_role(user=user, site=site, role=Role.REGULATORY_AFFAIRS)
    services.save_registrant(
        organization=organization, by=user, legal_name="基准测试公司",
        legal_name_en="Bench Devices Co.", uscc="91320594MA1W2X3Y4K", duns_number="545012345",
        eu_srn="CN-MF-000012345", eu_representative_srn="NL-AR-000004321",
        contact_phone="+86 512 0000 0000", contact_email="ra@bench.example",
    )  # fmt: skip
    items = Item.objects.bulk_create(
        Item(organization=organization, code=f"DEV-{n:04d}", name=f"器械 {n}",
             kind=ItemKind.FINISHED_DEVICE, shelf_life_days=1095)
        for n in range(DEVICES)
    )  # fmt: skip
    attributes = {
        "organization": organization, "issuing_agency": IssuingAgency.GS1, "brand": "基准",
        "registration_number": "国械注准20213140123", "risk_class_cn": "II",
        "risk_class_us": "II", "risk_class_eu": "IIa", "gmdn_code": "35163",
        "nmpa_classification_code": "14-02", "description": "A device for the benchmark.",
        "fda_product_code": "FPA", "fda_premarket_number": "K213456", "emdn_code": "C0301",
        "sterile": True, "sterilization_method": SterilizationMethod.ETHYLENE_OXIDE,
    }  # fmt: skip
    units = DeviceIdentifier.objects.bulk_create(
        DeviceIdentifier(item=item, value=gtin("0", n), model_number=item.code,
                         basic_udi_di="", **attributes)
        for n, item in enumerate(items)
    )  # fmt: skip
    boxes = DeviceIdentifier.objects.bulk_create(
        DeviceIdentifier(item=unit.item, value=gtin("1", n), contains=unit,
                         packaging_level=PackagingLevel.INNER_PACK, quantity_per_package=25,
                         model_number=unit.model_number, **attributes)
        for n, unit in enumerate(units)
    )  # fmt: skip
    DeviceIdentifier.objects.bulk_create(
        DeviceIdentifier(item=box.item, value=gtin("2", n), contains=box,
                         packaging_level=PackagingLevel.CASE, quantity_per_package=20,
                         model_number=box.model_number, **attributes)
        for n, box in enumerate(boxes)
    )  # fmt: skip
    # EUDAMED groups by Basic UDI-DI: ten models of a hundred devices each.
    for n, unit in enumerate(units):
        unit.basic_udi_di = f"950600MODEL{n % 10}"
    DeviceIdentifier.objects.bulk_update(units, ["basic_udi_di"])
    return organization, user


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    organization, user = setup()
    ok = True
    for database in Database:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            statuses = selectors.device_statuses(organization.pk, database)
            runs.append((time.perf_counter() - started) * 1000)
        blocked = sum(bool(s.problems) for s in statuses)
        started = time.perf_counter()
        submission = services.prepare_submission(
            organization=organization, database=database, by=user
        )
        prepared = (time.perf_counter() - started) * 1000
        median = statistics.median(runs)
        good = median <= GOALS["statuses"] and prepared <= GOALS["prepare"] and not blocked
        ok = ok and good
        print(
            f"{database.value:8} {len(statuses)} devices ({blocked} incomplete): statuses "
            f"{median:.0f} ms median (goal ≤ {GOALS['statuses']:.0f}); file of "
            f"{submission.records.count()} devices, {len(bytes(submission.content)) // 1024} KiB, "
            f"prepared in {prepared:.0f} ms (goal ≤ {GOALS['prepare']:.0f})  "
            f"{'ok' if good else 'SLOW'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
