"""Committed benchmark results name files relative to the repository."""

from __future__ import annotations

from pathlib import Path

from adapter.bench.profile import _relative, repo_relative

ROOT = Path(__file__).resolve().parents[2]


def test_a_call_tree_loses_the_machine_path_and_the_climbs_out_of_the_working_folder() -> None:
    text = (f"Profile at {ROOT}/adapter/bench/profile.py:20\n"
            "`- 4.98 ScoringPipeline.__call__  ../../adapter/service/pipeline.py:58\n")

    assert repo_relative(text) == (
        "Profile at adapter/bench/profile.py:20\n"
        "`- 4.98 ScoringPipeline.__call__  adapter/service/pipeline.py:58\n")


def test_profile_rows_name_project_files_from_the_root_and_libraries_from_site_packages() -> None:
    assert _relative(ROOT / "adapter" / "fhir" / "reader.py") == "adapter/fhir/reader.py"
    assert _relative("/opt/venv/lib/python3.11/site-packages/orjson/__init__.py") == \
        "orjson/__init__.py"
    assert _relative("<built-in>") == "<built-in>"
