"""The long fuzz run (issue 13: at least 1,000,000 inputs over the barcode parser, the EPCIS
importer, the Excel importer and every API body; zero crashes, zero server errors).

Runs the fuzz tests of tests/fuzz with a large example count, one target at a time, each in
its own pytest process, and, when atheris is installed, coverage-guided libFuzzer runs over the
three parsers through the same read functions. Prints inputs and failures per target.

    nice -n 19 python bench/fuzz_long.py                    # the defaults below, about 50 min
    nice -n 19 python bench/fuzz_long.py --examples 2000 --api-examples 5 --atheris-seconds 60
    scripts/with-postgres nice -n 19 python bench/fuzz_long.py --only api

A failure leaves its log (hypothesis' shrunk example, or atheris' crash input) under --logs.
"""

import argparse
import json
import os
import re
import subprocess  # nosec B404 # runs our own pytest and this script, argv built here
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Hypothesis targets: the test module and what its examples count as.
MODULES = {
    "barcodes": "tests/fuzz/test_barcodes.py",
    "epcis": "tests/fuzz/test_epcis.py",
    "sheets": "tests/fuzz/test_sheet_import.py",
    "api": "tests/fuzz/test_api_bodies.py",
}
ATHERIS_TARGETS = ("barcodes", "epcis", "sheets")
DONE = re.compile(r"Done (\d+) runs in (\d+) second")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="per parser/importer test")
    parser.add_argument("--api-examples", type=int, default=15, help="per API operation")
    parser.add_argument("--atheris-seconds", type=int, default=600, help="per atheris target")
    parser.add_argument("--only", nargs="*", choices=sorted(MODULES), default=sorted(MODULES))
    parser.add_argument("--logs", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-logs")
    parser.add_argument("--atheris-target", choices=ATHERIS_TARGETS, help=argparse.SUPPRESS)
    arguments, rest = parser.parse_known_args()
    if arguments.atheris_target:
        return atheris_worker(arguments.atheris_target, rest)
    arguments.logs.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in arguments.only:
        rows += hypothesis_run(target, arguments)
    if arguments.atheris_seconds and atheris_available():
        for target in ATHERIS_TARGETS:
            if target in arguments.only:
                rows.append(atheris_run(target, arguments))
    elif arguments.atheris_seconds:
        print("atheris is not installed: hypothesis only (pip install atheris)")
    report(rows)
    return 1 if any(row["failures"] for row in rows) else 0


def hypothesis_run(target: str, arguments) -> list[dict]:
    """One pytest process over the target's module; a row per counted input kind."""
    counts = arguments.logs / f"{target}.json"
    log = arguments.logs / f"{target}.log"
    environment = {
        **os.environ,
        "MEDTRACE_FUZZ_EXAMPLES": str(arguments.examples),
        "MEDTRACE_FUZZ_API_EXAMPLES": str(arguments.api_examples),
        "MEDTRACE_FUZZ_REPORT": str(counts),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        MODULES[target],
        "-q",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
        "--timeout",
        "0",
        "--hypothesis-show-statistics",
    ]
    print(f"hypothesis {target}: {' '.join(command[1:])} (log: {log})", flush=True)
    started = time.monotonic()
    with log.open("w") as output:
        finished = subprocess.run(  # nosec B603 # our own pytest, argv built above
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    elapsed = time.monotonic() - started
    done = json.loads(counts.read_text()) if counts.exists() else {"inputs": {}, "failed": []}
    failures = len(done["failed"]) or (finished.returncode not in (0, 5))
    rows = [
        {"target": name, "engine": "hypothesis", "inputs": count, "failures": 0, "seconds": 0}
        for name, count in sorted(done["inputs"].items())
    ] or [{"target": target, "engine": "hypothesis", "inputs": 0, "failures": 0, "seconds": 0}]
    rows[0]["failures"] = int(failures)
    rows[0]["seconds"] = elapsed  # one process for the module: its time is shown once
    for name in done["failed"]:
        print(f"  FAILED {name}")
    return rows


def atheris_available() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def atheris_run(target: str, arguments) -> dict:
    corpus = arguments.logs / f"corpus-{target}"
    corpus.mkdir(exist_ok=True)
    log = arguments.logs / f"atheris-{target}.log"
    command = [
        sys.executable,
        __file__,
        "--atheris-target",
        target,
        f"-max_total_time={arguments.atheris_seconds}",
        "-max_len=8192",
        f"-artifact_prefix={arguments.logs}/crash-{target}-",
        str(corpus),
    ]
    print(f"atheris {target}: {arguments.atheris_seconds} s (log: {log})", flush=True)
    started = time.monotonic()
    with log.open("w") as output:
        finished = subprocess.run(  # nosec B603 # this script, argv built above
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    runs = DONE.findall(log.read_text(errors="replace"))
    return {
        "target": target,
        "engine": "atheris",
        "inputs": int(runs[-1][0]) if runs else 0,
        "failures": int(finished.returncode != 0),
        "seconds": time.monotonic() - started,
    }


def atheris_worker(target: str, libfuzzer_arguments: list[str]) -> int:
    """In its own process: instrument medtrace's readers, seed the corpus, fuzz."""
    import atheris

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    with atheris.instrument_imports(
        include=["medtrace.scan", "medtrace.epcis", "medtrace.exchange"]
    ):
        import django

        django.setup()
        from tests.fuzz import test_barcodes, test_epcis, test_sheet_import
    corpus = Path(libfuzzer_arguments[-1])
    seeds = {
        "barcodes": [
            b"]d2010950600013435217261231\x1d10A1B2",
            b"+A99912345/$$52001510X3",
            b"MA.156.M0.100086.0B2601.L20260101.E20270101",
            b"https://id.gs1.org/01/09506000134352/10/A1?17=261231",
        ],
        "epcis": [path.read_bytes() for path in sorted(test_epcis.EXAMPLES.glob("*.jsonld"))],
        "sheets": [test_sheet_import.VALID_WORKBOOK, b"code,name\r\nRM-1,x\r\n"],
    }[target]
    for number, seed in enumerate(seeds):
        (corpus / f"seed-{number}").write_bytes(seed)

    def barcodes(data: bytes):
        provider = atheris.FuzzedDataProvider(data)
        codes = [provider.ConsumeUnicode(96) for _ in range(provider.ConsumeIntInRange(1, 3))]
        test_barcodes.read(codes, 2026)

    def epcis(data: bytes):
        test_epcis.read(data)

    def sheets(data: bytes):
        test_sheet_import.read(data, "xlsx" if data.startswith(b"PK") else "csv")

    one_input = {"barcodes": barcodes, "epcis": epcis, "sheets": sheets}[target]
    atheris.Setup([sys.argv[0], *libfuzzer_arguments], one_input)
    atheris.Fuzz()
    return 0


def report(rows: list[dict]) -> None:
    print(f"\n{'target':<16}{'engine':<12}{'inputs':>12}{'failures':>10}{'seconds':>10}{'/s':>9}")
    for row in rows:
        rate = row["inputs"] / row["seconds"] if row["seconds"] else 0
        seconds = f"{row['seconds']:.0f}" if row["seconds"] else ""
        rate_text = f"{rate:.0f}" if row["seconds"] else ""
        print(
            f"{row['target']:<16}{row['engine']:<12}{row['inputs']:>12,}{row['failures']:>10}"
            f"{seconds:>10}{rate_text:>9}"
        )
    total = sum(row["inputs"] for row in rows)
    failures = sum(row["failures"] for row in rows)
    seconds = sum(row["seconds"] for row in rows)
    print(f"{'total':<28}{total:>12,}{failures:>10}{seconds:>10.0f}")


if __name__ == "__main__":
    sys.exit(main())
