"""R4 facts and value rules of the read edge: resource types, dateTime/instant, echoed strings."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import msgspec
import pytest

from adapter.fhir import schema
from adapter.fhir.primitives import is_code, is_fhir_string, is_uri
from adapter.fhir.r4 import R4_RESOURCE_TYPES

# An independent oracle for the declaration's calendar patterns: R4's lexical patterns, then
# the calendar by datetime.date and the leap second by hand.
_YEAR = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_TIME = (r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?"
         r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))")
_DATE_TIME = re.compile(rf"{_YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T{_TIME})?)?)?")
_INSTANT = re.compile(rf"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T{_TIME}")


def is_date_time(value: object, *, instant: bool = False) -> bool:
    if not isinstance(value, str) or not (_INSTANT if instant else _DATE_TIME).fullmatch(value):
        return False
    if len(value) >= 10:
        try:
            dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return False
    return not (len(value) > 17 and value[17:19] == "60" and value[11:16] != "23:59")

DEFINITIONS = (Path(__file__).resolve().parents[2] / "fhir_profiles" / "node_modules" / "@medplum"
               / "definitions" / "dist" / "fhir" / "r4" / "profiles-resources.json")


def test_the_r4_resource_types_are_those_of_the_r4_definitions() -> None:
    bundle = json.loads(DEFINITIONS.read_text("utf-8"))
    concrete = {e["resource"]["name"] for e in bundle["entry"]
                if e["resource"].get("resourceType") == "StructureDefinition"
                and e["resource"].get("kind") == "resource"
                and not e["resource"].get("abstract")
                and e["resource"].get("derivation") == "specialization"}

    # SubscriptionStatus is the R4 Subscriptions Backport's, not part of R4 4.0.1.
    assert concrete - {"SubscriptionStatus"} == R4_RESOURCE_TYPES


@pytest.mark.parametrize("value", [
    "2024", "2024-02", "2024-02-29", "2024-03-05T09:30:00+01:00", "2024-03-05T09:30:00.123Z",
    "2016-12-31T23:59:60Z", "0001-01-01", "2024-03-05T09:30:00-14:00", "2024-03-05T09:30:00+14:00",
])
def test_a_real_date_time_is_accepted(value: str) -> None:
    assert is_date_time(value)
    assert msgspec.convert(value, schema.DateTime) == value  # the declaration's pattern


@pytest.mark.parametrize("value", [
    "2023-02-30", "2023-02-29", "2023-04-31", "0000", "0000-01-01", "2024-13-01", "2024-00-10",
    "2024-03-05T09:30:00+25:99", "2024-03-05T09:30:00+14:30", "2024-03-05T24:00:00Z",
    "2024-03-05T09:30:60Z", "2024-03-05T09:30:00", "2024-03-05T09:30Z", "2024-3-5", " 2024",
    "2024-03-05 09:30:00Z", 2024, None,
])
def test_an_impossible_or_malformed_date_time_is_refused(value: object) -> None:
    assert not is_date_time(value)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(value, schema.DateTime)


def test_an_instant_needs_date_time_and_zone() -> None:
    assert is_date_time("2024-03-05T11:02:00+01:00", instant=True)
    assert not is_date_time("2024-03-05", instant=True)
    assert not is_date_time("2023-02-30T11:02:00Z", instant=True)
    assert msgspec.convert("2024-03-05T11:02:00+01:00", schema.Instant)
    for value in ("2024-03-05", "2023-02-30T11:02:00Z", "2024-02-29T23:59:61Z"):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(value, schema.Instant)


@pytest.mark.parametrize("year", [1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 400, 4, 8, 1])
def test_the_declared_calendar_knows_leap_years(year: int) -> None:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    value = f"{year:04d}-02-29"

    assert is_date_time(value) is leap
    assert (schema_accepts(value)) is leap


def schema_accepts(value: str) -> bool:
    try:
        msgspec.convert(value, schema.DateTime)
    except msgspec.ValidationError:
        return False
    return True


@pytest.mark.parametrize("char", [
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe",
    "\U0010ffff", "\ud800", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
    "\u2068", "\u2069",
    # Unicode spaces the R4 JSON schema's ECMAScript ``\S`` refuses.
    "\u00a0", "\u2003", "\u2028", "\u2029", "\u3000", "\ufeff",
])
def test_an_echoed_string_may_not_hold_a_forbidden_character(char: str) -> None:
    text = f"liver {char}segment"

    assert not is_fhir_string(text)
    assert not is_uri(f"urn:x:{char}")
    assert not is_code(f"a{char}b")


@pytest.mark.parametrize("text", [
    "liver\tsegment", "line\r\nbreak", "Leber, Segment III", "\u05db\u05d1\u05d3 \u200f",
    "emoji \U0001f600", "zero\u200dwidth joiner"
])
def test_ordinary_text_passes(text: str) -> None:
    assert is_fhir_string(text)
