"""medtrace: quality-traceability ERP for medical-device makers."""

__version__ = "0.1.0"
