"""Fuzzing (issue 13): property tests that feed the parsers, importers and every API body
hostile input and accept only a result or a documented refusal. CI runs a few examples of
each; bench/fuzz_long.py runs the same tests with a count large enough to matter."""
