"""Judgement-call thresholds where SSTR-RADS 1.0 gives no number."""

from __future__ import annotations

from dataclasses import dataclass

from adapter.domain.model import Grade


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """Thresholds used by the rules; each is an ``SSTR_`` setting (README, policy table).

    ``several_lesions``: how many 3B or 3D lesions are "several" / "an increased number"
    (AMB-SEVERAL). ``representative_above``: more than this many positive lesions
    switch on the representative-lesion rule (Discussion: ">5"). ``ki67_raised_percent``
    and ``raised_grades``: an "increased proliferation index" (WHO 2019: G2 starts at
    Ki-67 3 %).
    """

    several_lesions: int = 2
    representative_above: int = 5
    ki67_raised_percent: float = 3.0
    raised_grades: frozenset[Grade] = frozenset({Grade.G2, Grade.G3})

    def __post_init__(self) -> None:
        if self.several_lesions < 2:
            raise ValueError("several_lesions must be at least 2")
        if self.representative_above < 1:
            raise ValueError("representative_above must be at least 1")
        if not 0 < self.ki67_raised_percent <= 100:
            raise ValueError("ki67_raised_percent must be in (0, 100]")


DEFAULT_POLICY = ScoringPolicy()
