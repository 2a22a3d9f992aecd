"""Generate the README's "Rules" and "Where the paper is silent" sections from the catalogue.

Run ``/work/venv/bin/python tests/domain/readme_tables.py`` after changing
``adapter/domain/catalogue.py`` or the tests; ``test_traceability.py`` fails while the
README is out of date. The "Test(s)" column is found, not typed: a test checks a code
when the code appears as a string in the test (its body, its decorators, e.g.
``@pytest.mark.rule("T2-LEVEL")``, or a module-level table it uses).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from adapter.domain import AMBIGUITIES, RULES, Rule

HERE = Path(__file__).resolve().parent
README = HERE.parents[1] / "README.md"
SHOWN_TESTS = 3

RULES_INTRO = """\
## Rules: SSTR-RADS 1.0, rule by rule

Every decision of the rules engine (`adapter/domain`) names one of these codes: the lesion's
category (`LesionAssessment.rule`), each work-up step (`NextStep.rule`), the overall score and the
PRRT recommendation (`StudyAssessment.overall_rule`, `.prrt_rule`). The codes say where in the
paper (Werner et al., *SSTR-RADS version 1.0*) a rule comes from: `T1-` a row of Table 1, `T2-`
Table 2, `TXT-` a sentence of the category sections, `DISC-` the Discussion, `PRRT-` the PRRT
column and the Discussion, `FU-`/`WU-` the follow-up and work-up the paper gives, `SUPP-`
Supplementary Table 1. The paper's wording is abridged. The tests (in `tests/domain/`) are the
ones that check the rule; every figure legend is a test of its own (`test_figures.py`).
"""

POLICIES_INTRO = """\
## Where the paper is silent

Where SSTR-RADS 1.0 does not dictate a decision, the engine takes the conservative one below
and never guesses silently: the policy code and a reason go into the lesion's or the study's
`ambiguities`, and the report marks the finding *ambiguous under SSTR-RADS 1.0*. Judgement-call
thresholds are settings (`SSTR_` environment variables, `adapter/settings.py`, passed to the
engine as a `ScoringPolicy`).

Input the rules cannot score is not a silent case either: no uptake information, a negative,
NaN or infinite SUV, a level outside 0-3, contradictory flags (known benign or physiological
but highly suspicious on CT), a lesion with neither uptake nor an anatomic finding, reference
blood pool not below liver, duplicate lesion ids or a study without lesions raise
`InvalidLesionError`/`InvalidStudyError` naming the lesion id and the item, never a default
category and never patient data.
"""

FOOTER = (
    "\n*Generated from `adapter/domain/catalogue.py` by `python tests/domain/readme_tables.py`;"
    " `tests/domain/test_traceability.py` keeps it in sync.*\n"
)


def _strings(nodes: Iterable[ast.AST]) -> set[str]:
    return {
        n.value for node in nodes for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _tests_and_strings(path: Path) -> Iterator[tuple[str, set[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tables: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            tables.update({t.id: node.value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            tables[node.target.id] = node.value
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in tables}
            yield node.name, _strings([node, *(tables[name] for name in sorted(used))])


@functools.cache
def covering_tests() -> dict[str, list[str]]:
    """Code -> the tests that check it, as ``file::test``, in file and source order."""
    known = set(RULES) | set(AMBIGUITIES)
    found: dict[str, list[str]] = {code: [] for code in known}
    for path in sorted(HERE.glob("test_*.py")):
        for name, strings in _tests_and_strings(path):
            for code in sorted(known & strings):
                found[code].append(f"{path.name}::{name}")
    return found


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _tests_cell(tests: list[str]) -> str:
    shown = ", ".join(f"`{t.split('::')[1]}`" for t in tests[:SHOWN_TESTS])
    more = len(tests) - SHOWN_TESTS
    return shown + (f" (+{more} more)" if more > 0 else "") if tests else "**none**"


def _decision(rule: Rule) -> str:
    setting = f" Setting: `{rule.setting}`." if rule.setting else ""
    return _cell(rule.decision + setting)


def rules_section() -> str:
    tests = covering_tests()
    rows = [
        "| Code | Paper source | Paper wording | What the adapter does | Test(s) |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| `{r.code}` | {_cell(r.source)} | {_cell(r.paper)} | {_decision(r)} "
        f"| {_tests_cell(tests[r.code])} |"
        for r in RULES.values()
    ]
    return RULES_INTRO + "\n" + "\n".join(rows) + "\n" + FOOTER


def policies_section() -> str:
    tests = covering_tests()
    rows = [
        "| Policy code | The paper's wording | Decision | Setting | Test(s) |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| `{a.code}` | *{_cell(a.source)}:* {_cell(a.paper)} | {_cell(a.decision)} "
        f"| {f'`{a.setting}`' if a.setting else '-'} | {_tests_cell(tests[a.code])} |"
        for a in AMBIGUITIES.values()
    ]
    return POLICIES_INTRO + "\n" + "\n".join(rows) + "\n" + FOOTER


def section(text: str, area: str) -> str:
    """The text between ``<!-- area:start -->`` and ``<!-- area:end -->``."""
    match = re.search(rf"<!-- {area}:start -->\n(.*?)<!-- {area}:end -->", text, re.DOTALL)
    if match is None:
        raise LookupError(f"README has no {area} markers")
    return match.group(1)


def _replace(text: str, area: str, body: str) -> str:
    old = f"<!-- {area}:start -->\n{section(text, area)}<!-- {area}:end -->"
    return text.replace(old, f"<!-- {area}:start -->\n{body}<!-- {area}:end -->")


def main() -> int:
    text = README.read_text(encoding="utf-8")
    text = _replace(text, "rules", rules_section())
    text = _replace(text, "policies", policies_section())
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
