"""Registers the ``rule`` marker: names the catalogue code a test checks when the
engine does not write that code into its result (Table 2, re-scoring, the caveat...)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(code): the SSTR-RADS rule code this test checks")
