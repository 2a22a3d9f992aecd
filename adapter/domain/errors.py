"""Domain errors: invalid or insufficient input. Never carry patient data.

    SstrRadsError
    ├── InvalidLesionError      a lesion's item is missing, out of range or contradictory
    └── InvalidStudyError       a study-level item (reference SUVs, context, no lesions)
"""

from __future__ import annotations


class SstrRadsError(ValueError):
    """Base of the errors raised by the rules engine."""

    def __init__(self, item: str, reason: str) -> None:
        self.item = item
        self.reason = reason
        super().__init__(f"{item}: {reason}")


class InvalidLesionError(SstrRadsError):
    """A lesion cannot be scored: names the lesion (tracking id) and the bad item."""

    def __init__(self, lesion_id: str, item: str, reason: str) -> None:
        self.lesion_id = lesion_id
        self.item = item
        self.reason = reason
        ValueError.__init__(self, f"lesion {lesion_id!r}, {item}: {reason}")


class InvalidStudyError(SstrRadsError):
    """The study as a whole cannot be scored."""
