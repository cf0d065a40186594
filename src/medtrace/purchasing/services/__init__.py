"""Purchasing: orders (services.orders), receiving (services.receiving), releasing received
lots from quarantine (services.release)."""
