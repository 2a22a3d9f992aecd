"""A statistical profile of the pipeline's hot path (pyinstrument), summarised by self time."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from adapter.service.results import MessageProcessor


def profile_pipeline(
    processor: MessageProcessor, body: bytes, seconds: float, text_path: Path
) -> list[dict[str, object]]:
    """Profile ``processor(body)`` in a loop; write the call tree; return the top self times."""
    from pyinstrument import Profiler  # a dev/bench dependency, imported only when profiling

    profiler = Profiler(interval=0.0005)
    deadline = time.perf_counter() + seconds
    with profiler:
        while time.perf_counter() < deadline:
            processor(body)
    text_path.parent.mkdir(parents=True, exist_ok=True)
    text_path.write_text(repo_relative(
        profiler.output_text(unicode=False, color=False, show_all=False)))
    session = profiler.last_session
    if session is None:
        return []
    root = session.root_frame()
    if root is None:
        return []
    totals: dict[tuple[str, str], float] = {}
    _accumulate(root, totals)
    whole = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:12]
    return [
        {"function": func, "where": where, "self_share": round(spent / whole, 4)}
        for (func, where), spent in ranked
    ]


def _accumulate(frame: Any, totals: dict[tuple[str, str], float]) -> None:
    # Self time per function across the whole tree (pyinstrument keeps a frame's own time
    # in synthetic "[self]" children, summed by total_self_time); the loop is excluded.
    if frame.is_synthetic:
        return
    spent = float(frame.total_self_time)
    if spent and frame.function != "profile_pipeline":
        key = (str(frame.function), f"{_relative(frame.file_path)}:{frame.line_no}")
        totals[key] = totals.get(key, 0.0) + spent
    for child in frame.children:
        _accumulate(child, totals)


_ROOT = Path(__file__).resolve().parents[2]


def repo_relative(text: str) -> str:
    """A call tree with files named relative to the repository, never by machine path."""
    text = text.replace(f"{_ROOT}/", "")
    return re.sub(r"(?:\.\./)+(adapter/)", r"\1", text)


def _relative(path: object) -> str:
    """A file named relative to the repository (or the environment), never by machine path."""
    text = str(path)
    candidate = Path(text)
    if candidate.is_absolute():
        try:
            return str(candidate.resolve().relative_to(_ROOT))
        except ValueError:
            parts = candidate.parts
            if "site-packages" in parts:
                return "/".join(parts[parts.index("site-packages") + 1 :])
            return candidate.name
    return text
