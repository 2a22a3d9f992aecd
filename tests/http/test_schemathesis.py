"""Property-based API testing against the app's own OpenAPI schema (schemathesis).

Every operation gets generated requests, valid and invalid; every response must be a
non-5xx whose status, content type, headers and body conform to the schema. Seeded and
bounded so a run is short and repeatable. The real pipeline answers, so generated
messages that break the schema must be refused by it, not by a fake.
"""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's test client import notice (see conftest)
    import schemathesis
    from schemathesis import checks
    from schemathesis.checks import CheckFunction

from adapter.bootstrap import build_processor
from adapter.http import create_app
from adapter.observability import Metrics
from tests.http.conftest import TOKEN, make_settings

EXAMPLES = 50

# The schema states the envelope (a JSON object with resourceType Bundle); the FHIR
# profiles decide the rest and the pipeline answers 422 for the countless schema-valid
# objects that are no SSTR findings message. That answer is the contract, so the
# "schema-valid data must be accepted" check does not apply to $process-message.
PROFILE_DECIDES = "/$process-message"


def _schema(token: str | None) -> schemathesis.schemas.BaseSchema:
    settings = make_settings(token)
    app = create_app(settings, build_processor(settings), metrics=Metrics())
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)


open_schema = _schema(None)
protected_schema = _schema(TOKEN)

_SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                     suppress_health_check=list(HealthCheck))


@open_schema.parametrize()
@_SETTINGS
def test_the_open_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=_excluded(case))


@protected_schema.parametrize()
@_SETTINGS
def test_the_protected_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           excluded_checks=_excluded(case))


def _excluded(case: schemathesis.Case) -> list[CheckFunction]:
    if case.operation.path == PROFILE_DECIDES:
        return [checks.positive_data_acceptance]
    return []
