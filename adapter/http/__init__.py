"""HTTP edge (FastAPI): FHIR messaging operations, conformance resources, probes, metrics.

The only package that imports ``fastapi``. :func:`create_app` builds the app; nothing
happens at import time. ``sstr-adapter serve`` runs it under uvicorn.
"""

from __future__ import annotations

from adapter.http.app import create_app
from adapter.http.conformance import ConformanceStore, load_conformance
from adapter.http.messaging import MessageValidator, validator_from
from adapter.http.operations import BrokerCheck

__all__ = ["BrokerCheck", "ConformanceStore", "MessageValidator", "create_app",
           "load_conformance", "validator_from"]
