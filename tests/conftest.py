"""Every output the test session produces is validated against the profiles at the end.

The pipeline is wrapped for the whole session: each distinct output body (report and
tumour-board messages) is kept, and when the session ends they are checked by all three
layers the examples go through: structure (fhir.resources R4B), the project's required
bindings and FHIRPath invariants (adapter.fhir.bindings), the SUSHI-compiled
profiles (@medplum/core through fhir_profiles/tools/validate.mjs), and the independent R4
check of fhir_profiles/tools/conformance.mjs (R4 JSON schema, fhirpath.js invariants with
the R4 model, patterns/fixed values/slices against the snapshots, UCUM, references).
A failure shows up as an error at the teardown of the session's last test, naming the
file and FHIRPath.
Set SSTR_VALIDATE_TEST_OUTPUTS=0 to switch this off for a quick local run, and
SSTR_KEEP_TEST_OUTPUTS=DIR to keep the outputs (named by digest) for inspection.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest

from adapter.service.pipeline import ScoringPipeline
from adapter.service.results import Outcome, Processed

_CAPTURED: dict[str, bytes] = {}


@pytest.fixture(scope="session", autouse=True)
def every_output_is_valid_fhir() -> Iterator[None]:
    if os.environ.get("SSTR_VALIDATE_TEST_OUTPUTS", "1") == "0":
        yield
        return
    original = ScoringPipeline.__call__

    def recording(self: ScoringPipeline, body: bytes) -> Outcome:
        outcome = original(self, body)
        if isinstance(outcome, Processed):
            for output in outcome.outputs:
                _CAPTURED.setdefault(hashlib.sha256(output.body).hexdigest(), output.body)
        return outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScoringPipeline, "__call__", recording)
        yield
    if _CAPTURED:
        _validate(_CAPTURED)


def _validate(captured: dict[str, bytes]) -> None:
    from adapter.fhir.bindings import check_resource
    from adapter.fhir.strict import structure_issues
    from tests.profiles.profiles_support import error_lines, run_conformance, run_validator

    problems: list[str] = []
    keep = os.environ.get("SSTR_KEEP_TEST_OUTPUTS")
    with tempfile.TemporaryDirectory(prefix="sstr-test-outputs-") as scratch:
        tmp = keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        files = []
        for digest, body in sorted(captured.items()):
            doc = orjson.loads(body)
            (Path(tmp) / f"{digest[:12]}.json").write_bytes(body)
            problems += [f"{digest[:12]}: {i.expression}: {i.diagnostics}"
                         for i in structure_issues(doc)]
            problems += [f"{digest[:12]}: {p.fhirpath}: {p.message}" for p in check_resource(doc)]
            files.append(Path(tmp) / f"{digest[:12]}.json")
        # Both Node validators, the profile validator and the independent R4 check (schema,
        # fhirpath.js invariants, snapshot walk, UCUM, references), in batches spread over the
        # cores: a full run produces some 16,000 distinct outputs.
        jobs = [(run_validator, files[i:i + 200]) for i in range(0, len(files), 200)]
        jobs += [(run_conformance, files[i:i + 1000]) for i in range(0, len(files), 1000)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for result in pool.map(lambda job: job[0](*job[1]), jobs):
                problems += error_lines(result)
    assert not problems, (
        f"{len(problems)} problems in {len(captured)} outputs produced by the tests:\n"
        + "\n".join(problems[:50])
    )
