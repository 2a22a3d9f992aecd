"""Every rule is traceable: catalogue <-> code <-> README <-> tests."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from adapter.domain import AMBIGUITIES, RULES, ScoringPolicy
from adapter.settings import Settings

from .readme_tables import README, covering_tests, policies_section, rules_section, section

DOMAIN = Path(__file__).resolve().parents[2] / "adapter" / "domain"
CODE = re.compile(r"^(?:T1|T2|TXT|DISC|PRRT|FU|WU|SUPP|AMB)-[A-Z0-9-]+$")


def _code_literals(*modules: str) -> set[str]:
    found: set[str] = set()
    for name in modules:
        tree = ast.parse((DOMAIN / name).read_text(encoding="utf-8"))
        found |= {
            n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.match(n.value)
        }
    return found


ENGINE_CODES = _code_literals("lesion.py", "study.py", "uptake.py")


def test_every_rule_code_used_by_the_engine_is_in_the_catalogue() -> None:
    rule_codes = {c for c in ENGINE_CODES if not c.startswith("AMB-")}

    assert rule_codes - set(RULES) == set()


def test_every_policy_code_used_by_the_engine_is_in_the_catalogue() -> None:
    policy_codes = {c for c in ENGINE_CODES if c.startswith("AMB-")}

    assert policy_codes - set(AMBIGUITIES) == set()


def test_every_catalogued_policy_is_applied_somewhere_in_the_engine() -> None:
    assert set(AMBIGUITIES) - ENGINE_CODES == set()


def test_catalogue_keys_match_their_codes_and_kinds() -> None:
    assert all(code == rule.code and not code.startswith("AMB-") for code, rule in RULES.items())
    assert all(code == a.code and code.startswith("AMB-") for code, a in AMBIGUITIES.items())


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_appears_in_the_readme_rules_table(code: str) -> None:
    rules = section(README.read_text(encoding="utf-8"), "rules")

    assert f"| `{code}` |" in rules


@pytest.mark.parametrize("code", sorted(AMBIGUITIES))
def test_policy_appears_in_the_readme_policies_table(code: str) -> None:
    policies = section(README.read_text(encoding="utf-8"), "policies")

    assert f"| `{code}` |" in policies


def test_readme_tables_are_in_sync_with_the_catalogue_and_the_tests() -> None:
    text = README.read_text(encoding="utf-8")

    regenerate = "run: python tests/domain/readme_tables.py"
    assert section(text, "rules") == rules_section(), regenerate
    assert section(text, "policies") == policies_section(), regenerate


@pytest.mark.parametrize("code", sorted(set(RULES) | set(AMBIGUITIES)))
def test_every_rule_and_policy_is_checked_by_at_least_one_test(code: str) -> None:
    assert covering_tests()[code] != []


def test_every_policy_setting_is_a_real_setting_feeding_the_scoring_policy() -> None:
    named = {a.setting for a in (*RULES.values(), *AMBIGUITIES.values()) if a.setting}
    policy_fields = set(ScoringPolicy.__dataclass_fields__) - {"raised_grades"}

    fields = {name.removeprefix("SSTR_").lower() for name in named}

    assert fields == policy_fields
    assert fields <= set(Settings.model_fields)
