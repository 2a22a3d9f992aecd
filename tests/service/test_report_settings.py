"""The answer's settings: read from SSTR_ variables, validated, and wired into the pipeline."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from adapter.bootstrap import build_processor
from adapter.service.results import Processed
from adapter.settings import Settings
from adapter.tools.examples import input_path


def _report(processed: object) -> dict[str, object]:
    assert isinstance(processed, Processed)
    bundle: dict[str, object] = orjson.loads(processed.outputs[0].body)
    return bundle


def _resource(bundle: dict[str, object], rtype: str) -> dict[str, object]:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    return next(e["resource"] for e in entries if e["resource"]["resourceType"] == rtype)


def test_the_defaults_file_a_preliminary_report_with_a_url_as_source_endpoint() -> None:
    options = Settings().report_options()

    assert options.report_status == "preliminary"
    assert options.source_endpoint.startswith("https://")
    assert options.tumour_board_due_days == 14


def test_settings_come_from_the_environment_and_reach_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSTR_REPORT_STATUS", "final")
    monkeypatch.setenv("SSTR_SOURCE_ENDPOINT", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")
    monkeypatch.setenv("SSTR_OPERATOR_NAME", "Klinik für Nuklearmedizin")
    monkeypatch.setenv("SSTR_TUMOUR_BOARD_DUE_DAYS", "7")

    processed = build_processor(Settings())(input_path("figure-09").read_bytes())
    report = _report(processed)
    assert isinstance(processed, Processed)
    board = orjson.loads(processed.outputs[1].body)

    assert _resource(report, "DiagnosticReport")["status"] == "final"
    source = _resource(report, "MessageHeader")["source"]
    assert source["endpoint"] == "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"  # type: ignore[index]
    assert _resource(report, "Organization")["name"] == "Klinik für Nuklearmedizin"
    task = _resource(board, "Task")
    period = task["restriction"]["period"]  # type: ignore[index]
    assert period["end"][:10] > period["start"][:10]


@pytest.mark.parametrize(("name", "value"), [
    ("source_endpoint", "urn:sstr-adapter"),
    ("source_endpoint", "sstr-adapter"),
    ("report_status", "amended"),
    ("operator_identifier", "no-separator"),
    ("tumour_board_identifier", "urn:x|"),
    ("tumour_board_priority", "soon"),
    ("tumour_board_due_days", 0),
])
def test_invalid_answer_settings_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(**{name: value})
