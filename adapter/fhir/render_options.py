"""What the deployment decides about the answer (settings ``SSTR_REPORT_STATUS``, ...).

Built by :meth:`adapter.settings.Settings.report_options`; the defaults are those of the
settings, so tests and the example regenerator render exactly what a default deployment sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from adapter import __version__
from adapter.fhir import codes

Json = dict[str, Any]
ReportStatus = Literal["preliminary", "final"]
TaskPriority = Literal["routine", "urgent", "asap", "stat"]


@dataclass(frozen=True, slots=True)
class ReportOptions:
    report_status: ReportStatus = "preliminary"
    """How a computed report files when every finding is final: ``preliminary`` (default:
    a computed assessment awaiting the physician's sign-off) or ``final``."""
    source_endpoint: str = codes.SOURCE_ENDPOINT
    operator_name: str = "Operating organisation not configured (SSTR_OPERATOR_NAME)"
    operator_identifier: str | None = None
    """``system|value`` of the operating organisation, when configured."""
    tumour_board_name: str = "PRRT tumour board"
    tumour_board_identifier: str | None = None
    """``system|value`` of the tumour board (CareTeam or Organization), when configured."""
    tumour_board_priority: TaskPriority = "routine"
    tumour_board_due_days: int = 14

    def source(self) -> Json:
        """MessageHeader.source of every message the adapter sends."""
        return {"name": "sstr-adapter", "software": "sstr-adapter", "version": __version__,
                "endpoint": self.source_endpoint}

    def operator(self) -> Json:
        """The elements of the Organization the Provenance agent acts on behalf of."""
        org: Json = {"name": self.operator_name}
        if self.operator_identifier:
            org = {"identifier": [split_identifier(self.operator_identifier)], **org}
        return org

    def tumour_board(self) -> Json:
        """A logical Reference to the tumour board (identifier and display, no literal
        reference: the board is a resource of the receiving system)."""
        ref: Json = {"display": self.tumour_board_name}
        if self.tumour_board_identifier:
            ref["identifier"] = split_identifier(self.tumour_board_identifier)
        return ref


DEFAULT_REPORT_OPTIONS = ReportOptions()


def split_identifier(text: str) -> Json:
    """``system|value`` -> an Identifier (settings validate the form)."""
    system, _, value = text.partition("|")
    return {"system": system, "value": value}


def add_days(date_time: str, days: int) -> str:
    """A FHIR instant/dateTime with a time zone plus ``days`` days, in the same zone."""
    moved = datetime.fromisoformat(date_time) + timedelta(days=days)
    text = moved.isoformat()
    return text.replace("+00:00", "Z") if date_time.endswith("Z") else text
