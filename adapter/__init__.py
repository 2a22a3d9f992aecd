"""SSTR-RADS 1.0 FHIR adapter: scores SSTR-PET findings and publishes FHIR reports."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
