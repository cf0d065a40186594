"""Recall use cases: opening and scoping a recall (scope), its lifecycle and holds (recalls),
the regulators' deadlines (deadlines)."""
