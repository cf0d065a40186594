"""GS1 EPCIS 2.0 events in and out of medtrace: the model (model.py), the JSON / JSON-LD
codec with schema validation and the CBV 2.0 event hash ID (codec.py), and the canonical form
of the GS1 identifiers events name (identifiers.py). Pure Python, not a Django app."""
