"""The quality system's writes (nonconformance first; deviations, CAPA and complaints follow),
each in one transaction with its audit entry."""
