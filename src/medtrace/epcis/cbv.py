"""CBV 2.0 standard vocabulary values in every spelling they arrive in, reduced to the bare
name EPCIS 2.0 JSON uses ("shipping"): the EPCIS 1.x URN (urn:epcglobal:cbv:bizstep:shipping),
the GS1 Web URI (https://ref.gs1.org/cbv/BizStep-shipping) and its CURIE (cbv:BizStep-shipping).
Names outside the standard's code lists, and other URIs, stay as given."""

from dataclasses import dataclass

from medtrace.epcis.schema import code_list

WEB = "https://ref.gs1.org/cbv/"


@dataclass(frozen=True)
class Vocabulary:
    schema_definition: str  # where the schema enumerates the standard names
    urn: str  # EPCIS 1.x prefix
    web: str  # GS1 Web URI term prefix

    def names(self) -> frozenset[str]:
        return code_list(self.schema_definition)

    def bare(self, value: str | None) -> str | None:
        """The bare name of a standard value in any form; anything else unchanged."""
        if value is None:
            return None
        for prefix in (self.urn, WEB + self.web, "cbv:" + self.web):
            if value.startswith(prefix) and value[len(prefix) :] in self.names():
                return value[len(prefix) :]
        return value

    def web_uri(self, value: str) -> str:
        """The GS1 Web URI of a standard value (what the event hash uses); others unchanged."""
        name = self.bare(value)
        return WEB + self.web + name if name in self.names() else value


BIZ_STEP = Vocabulary("bizStep", "urn:epcglobal:cbv:bizstep:", "BizStep-")
DISPOSITION = Vocabulary("disposition", "urn:epcglobal:cbv:disp:", "Disp-")
BIZ_TRANSACTION_TYPE = Vocabulary("bizTransaction-type", "urn:epcglobal:cbv:btt:", "BTT-")
SOURCE_DESTINATION_TYPE = Vocabulary("source-dest-type", "urn:epcglobal:cbv:sdt:", "SDT-")
ERROR_REASON = Vocabulary("error-reason", "urn:epcglobal:cbv:er:", "ER-")

ALL = (BIZ_STEP, DISPOSITION, BIZ_TRANSACTION_TYPE, SOURCE_DESTINATION_TYPE, ERROR_REASON)


def web_uri_of_urn(value: str) -> str:
    """An EPCIS 1.x CBV URN of any vocabulary as its GS1 Web URI (the hash's rule 14)."""
    for vocabulary in ALL:
        if value.startswith(vocabulary.urn):
            return WEB + vocabulary.web + value[len(vocabulary.urn) :]
    return value
