"""Import costs. Goal: a 2,000-row items sheet is validated and applied in < 20 s each
(the dry run and the apply each send every row through the item services with their audit
entries), and re-importing it unchanged validates in < 10 s.

    python bench/bench_exchange.py                          # SQLite in a throwaway data dir
    scripts/with-postgres python bench/bench_exchange.py    # PostgreSQL
"""

import io
import os
import sys
import tempfile
import time

os.environ.setdefault("MEDTRACE_DATA_DIR", tempfile.mkdtemp(prefix="medtrace-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medtrace.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from medtrace.accounts.roles import Role  # noqa: E402
from medtrace.accounts.services import create_user  # noqa: E402
from medtrace.exchange import services  # noqa: E402
from medtrace.exchange.choices import BatchStatus  # noqa: E402
from medtrace.org import services as org  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "2000"))
APPLY_GOAL_S = 20.0
UNCHANGED_GOAL_S = 10.0
KINDS = ["raw_material", "component", "sub_assembly", "finished_device", "packaging"]


def items_sheet(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "name_en", "kind", "unit", "tracking", "shelf_life_days",
                  "storage_conditions"])  # fmt: skip
    for number in range(rows):
        kind = KINDS[number % len(KINDS)]
        sheet.append([f"BM-{number:05d}", f"基准物料 {number}", f"Bench item {number}", kind,
                      "EA", "lot", 365 + number % 700, "干燥处"])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    organization, _created = org.ensure_organization(name="基准测试公司")
    site = org.create_site(organization=organization, code="B1", name="基准工厂")
    user = create_user(
        organization=organization, username="bench-qa", password="Bench-password-2026"
    )
    org.grant_role(user=user, site=site, role=Role.QA_MANAGER)
    content = items_sheet(ROWS)

    def upload():
        return services.upload(user=user, kind="items", file_name="items.xlsx", content=content)

    batch, validate_s = timed(upload)
    assert batch.status == BatchStatus.READY, batch.problems[:3]
    _applied, apply_s = timed(lambda: services.apply_batch(batch=batch, user=user))
    again, unchanged_s = timed(upload)
    assert again.counts["unchanged"] == ROWS
    ok = validate_s < APPLY_GOAL_S and apply_s < APPLY_GOAL_S and unchanged_s < UNCHANGED_GOAL_S
    print(
        f"{ROWS} items (.xlsx, {len(content) // 1024} KB): validate {validate_s:.2f} s, "
        f"apply {apply_s:.2f} s (goal < {APPLY_GOAL_S:.0f} s each); "
        f"re-import unchanged: validate {unchanged_s:.2f} s (goal < {UNCHANGED_GOAL_S:.0f} s)  "
        f"{'ok' if ok else 'SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
