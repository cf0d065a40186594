"""What a scan means, in one shape whatever the code's scheme: the `medtrace scan --json` and
GET /api/v1/scan contract."""

from dataclasses import dataclass, field
from datetime import date

from medtrace.scan import dictionary
from medtrace.scan.linters import yymmdd_date

DIGITAL_LINK_BASE = "https://id.gs1.org"


@dataclass
class ScanResult:
    scheme: str  # gs1, gs1-digital-link, hibc, ma, internal
    symbology: str | None = None
    ais: dict[str, str] = field(default_factory=dict)
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    production_date: date | None = None
    sscc: str | None = None
    count: int | None = None
    digital_link: str | None = None
    lic: str | None = None
    pcn: str | None = None
    uom: str | None = None
    device_identifier: str | None = None  # the DI as printed, for HIBC and MA
    text: str | None = None  # an internal code as scanned
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "scheme": self.scheme,
            "symbology": self.symbology,
            "gtin": self.gtin,
            "lot": self.lot,
            "serial": self.serial,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "production_date": self.production_date.isoformat() if self.production_date else None,
            "sscc": self.sscc,
            "count": self.count,
            "ais": dict(self.ais) if self.ais else {},
            "digital_link": self.digital_link,
            "lic": self.lic,
            "pcn": self.pcn,
            "uom": self.uom,
            "device_identifier": self.device_identifier,
            "text": self.text,
            "warnings": [str(warning) for warning in self.warnings],
        }


def from_ais(
    scheme: str, ais: dict[str, str], *, symbology: str | None, reference_year: int
) -> ScanResult:
    """The result of validated GS1 data: named fields and the canonical Digital Link."""

    def when(ai):
        value = ais.get(ai)
        return yymmdd_date(value, reference_year, zero_day_allowed=True) if value else None

    count = ais.get("30") or ais.get("37")
    return ScanResult(
        scheme=scheme,
        symbology=symbology,
        ais=dict(ais),
        gtin=ais.get("01") or ais.get("02") or ais.get("03"),
        lot=ais.get("10"),
        serial=ais.get("21"),
        expiry=when("17"),
        production_date=when("11"),
        sscc=ais.get("00"),
        count=int(count) if count else None,
        digital_link=digital_link(ais),
    )


def digital_link(ais: dict[str, str]) -> str | None:
    """The uncompressed canonical GS1 Digital Link of the data: primary key, its qualifiers in
    the dictionary's order, then the other data attributes as a query, by AI."""
    from urllib.parse import quote

    key = next(
        (ai for ai in ais if (entry := dictionary.lookup(ai)) and entry.dl_primary_key), None
    )
    if key is None:
        return None
    entry = dictionary.lookup(key)
    path = [(key, ais[key])]
    for qualifiers in entry.dl_qualifier_paths:
        if any(ai in ais for ai in qualifiers):
            path += [(ai, ais[ai]) for ai in qualifiers if ai in ais]
            break
    used = {ai for ai, _value in path}
    query = [
        (ai, value)
        for ai, value in sorted(ais.items())
        if ai not in used and (candidate := dictionary.lookup(ai)) and candidate.dl_attribute
    ]
    url = DIGITAL_LINK_BASE + "".join(f"/{ai}/{quote(value, safe='')}" for ai, value in path)
    if query:
        url += "?" + "&".join(f"{ai}={quote(value, safe='')}" for ai, value in query)
    return url
