"""Canonical identifiers of traced objects and parties. GS1 keys take the canonical GS1
Digital Link form, the same the scan parser and the EPCIS codec produce; an object without
GS1 keys (a supplier lot of an item without GTIN, an internal serial) gets a
`urn:medtrace:` URI built from the item code, which EPCIS accepts as any other URI."""

from functools import lru_cache
from urllib.parse import quote

from medtrace.scan.result import digital_link

# Our own locations, as events name them (business location, read point, a source or
# destination of type location): urn:medtrace:location:<site code>:<location code>.
LOCATION_PREFIX = "urn:medtrace:location:"


def location_identifier(*, site_code: str, code: str) -> str:
    return f"{LOCATION_PREFIX}{site_code}:{code}"


def _part(value: str) -> str:
    return quote(value, safe="")


# Every unit commissioned into a lot names it again.
@lru_cache(maxsize=10_000)
def lot_identifier(*, item_code: str, lot_number: str, gtin: str = "") -> str:
    if gtin:
        return digital_link({"01": gtin, "10": lot_number})
    return f"urn:medtrace:lot:{_part(item_code)}:{_part(lot_number)}"


def unit_identifier(*, item_code: str, serial: str, gtin: str = "") -> str:
    if gtin:
        return digital_link({"01": gtin, "21": serial})
    return f"urn:medtrace:unit:{_part(item_code)}:{_part(serial)}"


def container_identifier(*, sscc: str = "", code: str = "") -> str:
    if sscc:
        return digital_link({"00": sscc})
    return f"urn:medtrace:container:{_part(code)}"


def party_identifier(*, gln: str = "", kind: str = "", code: str = "") -> str:
    """A party by its GLN (https://id.gs1.org/417/<gln>), else by our customer or supplier
    code."""
    if gln:
        return digital_link({"417": gln})
    return f"urn:medtrace:party:{kind}:{_part(code)}"
