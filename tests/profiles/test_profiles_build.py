"""The committed compiled profiles are what the FSH sources compile to."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from profiles_support import BUILD, PROFILES, require_node_tools


def _check(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SSTR_FHIR_HOME": str(PROFILES / ".fhir-home")}
    return subprocess.run(
        ["bash", str(project / "tools" / "build.sh"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def test_compiled_json_is_up_to_date_with_the_fsh_sources() -> None:
    require_node_tools()

    result = _check(PROFILES)

    assert result.returncode == 0, result.stderr


def test_staleness_check_fails_when_a_source_changes(tmp_path: Path) -> None:
    require_node_tools()
    project = tmp_path / "fhir_profiles"
    shutil.copytree(PROFILES, project, ignore=shutil.ignore_patterns("node_modules", ".fhir-home"))
    (project / "node_modules").symlink_to(PROFILES / "node_modules")
    source = project / "input" / "fsh" / "codesystems-assessment.fsh"
    source.write_text(
        source.read_text("utf-8").replace('"SSTR-RADS-5"', '"SSTR-RADS-FIVE"'), "utf-8"
    )

    result = _check(project)

    assert result.returncode == 1
    assert "is stale" in result.stderr
    assert BUILD.exists()
