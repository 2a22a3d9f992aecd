"""Table 2: the uptake level of an SSTR-avid lesion."""

from __future__ import annotations

import math

from adapter.domain.errors import InvalidLesionError, InvalidStudyError, SstrRadsError
from adapter.domain.model import Lesion, ReferenceUptake, UptakeLevel, UptakeResult, UptakeSource

_LEVELS = tuple(UptakeLevel)
"""The Table 2 levels (iterating the enum anew on every lesion costs more than the rules)."""


# Every result there can be, built once: a lookup costs a fifth of making a frozen value.
_RESULTS: dict[tuple[UptakeLevel, UptakeSource, UptakeLevel | None], UptakeResult] = {
    (level, source, suv): UptakeResult(level, source, suv)
    for level in _LEVELS for source in UptakeSource for suv in (*_LEVELS, None)
}
_NOT_POSITIVE = "must be a finite number greater than 0"


def check_reference(reference: ReferenceUptake) -> None:
    """Reference SUVs must be finite and positive, blood pool below liver (else Table 2 is void)."""
    blood, liver = reference.blood_pool_suv_mean, reference.liver_suv_mean
    if not (math.isfinite(blood) and blood > 0):
        raise InvalidStudyError("reference.blood_pool_suv_mean", _NOT_POSITIVE)
    if not (math.isfinite(liver) and liver > 0):
        raise InvalidStudyError("reference.liver_suv_mean", _NOT_POSITIVE)
    if blood >= liver:
        raise InvalidStudyError(
            "reference",
            "blood-pool SUVmean must be lower than liver SUVmean for Table 2 to apply",
        )


def level_from_suv(suv_max: float, reference: ReferenceUptake) -> UptakeLevel:
    """Table 2 (rule T2-LEVEL): level 1 <= blood pool < level 2 <= liver < level 3.

    SUVs can only place a focus on levels 1-3: "no uptake above background" (level 0)
    is the reader's call. Invalid numbers raise rather than fall through: every
    comparison with NaN is false, so NaN would otherwise land silently on level 3.
    """
    if not math.isfinite(suv_max) or suv_max < 0:
        raise SstrRadsError("suv_max", "must be a finite number >= 0")
    check_reference(reference)
    return _table2_level(suv_max, reference)


def _table2_level(suv_max: float, reference: ReferenceUptake) -> UptakeLevel:
    """Table 2 for a checked SUVmax and checked reference SUVs."""
    if suv_max <= reference.blood_pool_suv_mean:
        return UptakeLevel.BLOOD_POOL_OR_LESS
    if suv_max <= reference.liver_suv_mean:
        return UptakeLevel.ABOVE_BLOOD_POOL
    return UptakeLevel.ABOVE_LIVER


def resolve_uptake(lesion: Lesion, reference: ReferenceUptake | None) -> UptakeResult:
    """The level used for scoring: the reader's, else derived from SUVs (Table 2).

    Raises :class:`InvalidLesionError` when neither is available or a value is invalid.
    """
    if lesion.reader_level is not None and (
        isinstance(lesion.reader_level, bool) or lesion.reader_level not in _LEVELS
    ):
        raise InvalidLesionError(lesion.lesion_id, "reader_level", "must be 0, 1, 2 or 3")
    if reference is not None:
        # score_lesion is public: a bad reference must not reach Table 2's comparisons.
        check_reference(reference)
    suv_level: UptakeLevel | None = None
    if lesion.suv_max is not None:
        if not math.isfinite(lesion.suv_max) or lesion.suv_max < 0:
            raise InvalidLesionError(lesion.lesion_id, "suv_max", "must be a finite number >= 0")
        if reference is not None:
            suv_level = _table2_level(lesion.suv_max, reference)  # both checked above
    if lesion.reader_level is not None:
        level = lesion.reader_level
        # Calling the enum on one of its members is a slow no-op: skipped for members.
        reader = level if isinstance(level, UptakeLevel) else UptakeLevel(level)
        if suv_level is not None and suv_level != reader:
            return _RESULTS[reader, UptakeSource.READER_OVER_SUV, suv_level]
        return _RESULTS[reader, UptakeSource.READER, suv_level]
    if suv_level is not None:
        return _RESULTS[suv_level, UptakeSource.SUV, suv_level]
    reason = (
        "SUVmax given without reference SUVs (blood pool and liver)"
        if lesion.suv_max is not None
        else "no uptake information (neither the reader's level nor SUVmax)"
    )
    raise InvalidLesionError(lesion.lesion_id, "uptake", reason)
