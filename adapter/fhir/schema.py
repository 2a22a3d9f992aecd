"""The input profile, declared once: every element the rules or the answer read, typed.

``msgspec`` Structs decode the message (the fast path, :mod:`adapter.fhir.structure`) and the
same declaration drives the diagnostic pass that names every problem by FHIRPath. What the
declaration says:

- **types**: each read element is a FHIR primitive (``id``; ``dateTime`` and ``instant`` that
  exist in the calendar, leap years and the leap second included, with offsets -14:00 to
  +14:00; ``integer`` (not a boolean, not 1.0); a finite ``decimal``; ``string``, ``uri`` and
  ``code`` as non-empty strings), a complex type (Coding, CodeableConcept, Quantity, Reference,
  Identifier, Extension), or a resource. The lexical rules of string, uri and code (no
  forbidden character, no whitespace in a uri, ...: :mod:`adapter.fhir.primitives`) are applied
  where a value is repeated or compared (:mod:`adapter.fhir.datatypes`): a regex constraint on
  each of the ~300 strings of a message would cost more than the whole decode;
- **cardinality**: arrays are non-empty JSON arrays; elements FHIR or the profile require are
  required fields;
- **resource types**: an entry's resource (and a contained one) is a tagged union over the 146
  R4 resource types on ``resourceType``, so a misspelled or unknown type is an error, never an
  "other resource" that is skipped;
- **refused elements**: an element the adapter must not silently ignore (``modifierExtension``,
  ``implicitRules``, R5-only elements, a Quantity ``comparator``) is declared absent; its
  diagnostic is the ``text`` in the field's metadata.

Elements no rule and no answer read are not declared, so they are not decoded. What a type
cannot express (references between entries, codes from value sets, the same patient and study,
one ``value[x]`` per element) is checked on the typed message (:mod:`adapter.fhir.parse`).
An identifier list of which one member is read by its system (:class:`TaggedIdentifier`) and
a Reference of which only the target is read (:class:`Link`) declare just that, so the other
members and parts stay unread, as before.
Diagnostics are the ``text`` of the declared type, with ``{name}`` the element's name; never
the value found (it may be patient data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, TypeVar, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from adapter.fhir.primitives import STRING_RULE
from adapter.fhir.r4 import R4_RESOURCE_TYPES

# -- primitives ------------------------------------------------------------------------------
# string, uri and code are non-empty strings here. Their lexical rules (adapter.fhir.primitives:
# no forbidden character, no whitespace in a uri...) are applied where the answer repeats a
# value or a rule compares it: checking each of the ~300 strings of a message in the decoder
# costs 0.5-0.8 us per string (a regex constraint), more than the whole decode.
# -- dates: R4's dateTime and instant, with the calendar in the pattern ----------------------
_YEAR = r"(?:[0-9](?:[0-9](?:[0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"  # 0001-9999
_LEAP = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
              r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)")
_DATE = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)"
# A leap second only at 23:59:60; zone offsets -14:00..+14:00.
_TIME = (r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]|23:59:60)(?:\.[0-9]{1,9})?"
         r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))")
DATE_TIME_PATTERN: Final = rf"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?|{_DATE}(?:T{_TIME})?)\Z"
INSTANT_PATTERN: Final = rf"^{_DATE}T{_TIME}\Z"


def _text(text: str, code: str = "value") -> dict[str, str]:
    return {"text": text, "code": code}


String = Annotated[str, Meta(min_length=1, extra=_text(f"{{name}} {STRING_RULE}"))]
Uri = Annotated[str, Meta(min_length=1, extra=_text(
    "{name} must be a uri (a string without whitespace)"))]
Code = Annotated[str, Meta(min_length=1, extra=_text(
    "{name} must be a code (a string without leading, trailing or repeated whitespace)"))]
Id = Annotated[str, Meta(pattern=r"^[A-Za-z0-9\-.]{1,64}\Z",
                         extra=_text("{name} must be a FHIR id (1 to 64 letters, digits, "
                                     "'-' or '.')"))]
FullUrl = Annotated[str, Meta(pattern=":", extra=_text(
    "fullUrl (an absolute URL or urn:uuid:) is required on every entry", "required"))]
DateTime = Annotated[str, Meta(pattern=DATE_TIME_PATTERN, extra=_text(
    "{name} must be a FHIR dateTime that exists in the calendar (years 0001-9999, zone "
    "offsets -14:00 to +14:00)"))]
Instant = Annotated[str, Meta(pattern=INSTANT_PATTERN, extra=_text(
    "{name} must be a FHIR instant (date, time and zone) that exists in the calendar (years "
    "0001-9999, zone offsets -14:00 to +14:00)"))]
_MAX = 1.7976931348623157e308
Decimal = Annotated[float, Meta(ge=-_MAX, le=_MAX, extra=_text("{name} must be a finite number"))]
Integer = Annotated[int, Meta(extra=_text("{name} must be a JSON integer"))]


def _absent(text: str, code: str = "not-supported") -> Any:
    """An element declared absent: present, it is an error with this diagnostic."""
    return Annotated[UnsetType, Meta(extra=_text(text, code))]


MODIFIER_TEXT: Final = ("modifier extensions are not understood by this receiver: the element "
                        "cannot be processed (FHIR R4, Extensibility)")
if TYPE_CHECKING:
    _Modifier = UnsetType
    _ImplicitRules = UnsetType
else:
    _Modifier = _absent(MODIFIER_TEXT)
    _ImplicitRules = _absent("implicitRules is not understood by this receiver: the "
                             "resource cannot be processed")


def _r5(rtype: str, name: str) -> Any:
    return _absent(f"{rtype}.{name} is a FHIR R5 element; this interface is FHIR R4 (4.0.1)")


class Element(Struct, kw_only=True, forbid_unknown_fields=False, gc=False):
    """An element: what is declared is decoded and checked, anything else is not read."""


class BackboneElement(Element, kw_only=True):
    """A backbone element the adapter reads: it must carry no modifier it does not know."""

    modifierExtension: _Modifier = UNSET


# -- data types ------------------------------------------------------------------------------


class Coding(Element, kw_only=True):
    system: Uri | UnsetType = UNSET
    code: Code | UnsetType = UNSET
    display: String | UnsetType = UNSET


class CodeableConcept(Element, kw_only=True):
    coding: Annotated[list[Coding], Meta(min_length=1)] | UnsetType = UNSET
    text: String | UnsetType = UNSET


class Quantity(Element, kw_only=True):
    value: Decimal | UnsetType = UNSET
    comparator: _absent("a quantity with a comparator (<, <=, >=, >) cannot be scored: give "  # type: ignore[valid-type]
                        "the measured value") = UNSET
    unit: String | UnsetType = UNSET
    system: Uri | UnsetType = UNSET
    code: Code | UnsetType = UNSET


class Identifier(Element, kw_only=True):
    type: CodeableConcept | UnsetType = UNSET
    system: Uri | UnsetType = UNSET
    value: String | UnsetType = UNSET


class Link(Element, kw_only=True):
    """A Reference of which only the target is read (subject, patient, focus, derivedFrom):
    the answer repeats ``reference`` alone."""

    reference: String | UnsetType = UNSET


class TaggedIdentifier(Element, kw_only=True):
    """An identifier among others of which one is read by its system (the Study Instance
    UID, the lesion tracking id): the rest are not read, so they are not checked here."""

    system: Any = UNSET
    value: Any = UNSET


class PatientIdentifier(Element, kw_only=True):
    """A Patient identifier: the answer repeats system and value."""

    system: Uri | UnsetType = UNSET
    value: String | UnsetType = UNSET


class Reference(Element, kw_only=True):
    """A Reference the answer repeats (performer, basedOn)."""

    reference: String | UnsetType = UNSET
    type: Uri | UnsetType = UNSET
    identifier: Identifier | UnsetType = UNSET
    display: String | UnsetType = UNSET


_OTHER_VALUE_TYPES: Final = """
    Base64Binary Boolean Canonical Code Date Decimal Id Instant Markdown Oid PositiveInt Time
    UnsignedInt Uri Url Uuid Address Age Annotation Attachment Coding ContactPoint Count
    Distance Duration HumanName Identifier Money Period Range Ratio Reference SampledData
    Signature Timing ContactDetail Contributor DataRequirement Expression ParameterDefinition
    RelatedArtifact TriggerDefinition UsageContext Dosage Meta
""".split()  # noqa: SIM905 (a word list reads better)
"""The value[x] types no rule reads: declared (untyped) only so that two values on one
element are seen (:func:`value_names`)."""
_READ_VALUES: Final = 5
"""An element with value[x] declares the read ones last: valueQuantity, valueCodeableConcept,
valueInteger, valueString, valueDateTime."""
VALUE_FIELDS: Final = _READ_VALUES + len(_OTHER_VALUE_TYPES)


def _with_other_values(cls: type[Struct], **config: Any) -> Any:
    """``cls`` plus every other value[x] (untyped), after its own: the value[x] elements are
    then the last :data:`VALUE_FIELDS` fields."""
    assert cls.__struct_fields__[-_READ_VALUES:][0] == "valueQuantity", cls
    return msgspec.defstruct(cls.__name__, [(f"value{t}", Any, UNSET) for t in _OTHER_VALUE_TYPES],
                             bases=(cls,), kw_only=True, forbid_unknown_fields=False, gc=False,
                             module=__name__, **config)


T = TypeVar("T")


def items(value: list[T] | UnsetType) -> list[T]:
    """A declared array, ``[]`` when absent (a present one is never empty)."""
    return [] if value is UNSET else value


def value_names(element: Struct) -> list[str]:
    """The value[x] elements given on an element that has them, when there are two or more
    (one or none is the usual case, answered by counting: no name is looked at)."""
    values = msgspec.structs.astuple(element)[-VALUE_FIELDS:]
    if values.count(UNSET) >= VALUE_FIELDS - 1:
        return []
    return [name for name, v in zip(element.__struct_fields__[-VALUE_FIELDS:], values,
                                    strict=True) if v is not UNSET]


class ExtensionElement(Element, kw_only=True):
    url: Annotated[str, Meta(min_length=1, extra=_text(
        "an extension needs a url (a uri without whitespace)", "required"))]
    valueQuantity: Quantity | UnsetType = UNSET
    valueCodeableConcept: CodeableConcept | UnsetType = UNSET
    valueInteger: Integer | UnsetType = UNSET
    valueString: String | UnsetType = UNSET
    valueDateTime: DateTime | UnsetType = UNSET


class ComponentElement(BackboneElement, kw_only=True):
    code: CodeableConcept | UnsetType = UNSET
    extension: Annotated[list[Extension], Meta(min_length=1)] | UnsetType = UNSET
    valueQuantity: Quantity | UnsetType = UNSET
    valueCodeableConcept: CodeableConcept | UnsetType = UNSET
    valueInteger: Integer | UnsetType = UNSET
    valueString: String | UnsetType = UNSET
    valueDateTime: DateTime | UnsetType = UNSET


if TYPE_CHECKING:
    Extension = ExtensionElement
    Component = ComponentElement
else:
    Extension = _with_other_values(ExtensionElement)
    Component = _with_other_values(ComponentElement)


# -- resources -------------------------------------------------------------------------------


def _lenient(name: str, rtype: str, fields: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    """A resource type no rule reads: only what the semantic checks look at (id, identifier,
    code: to refuse a finding carried by the wrong type); anything else is not decoded."""
    return msgspec.defstruct(
        name, [("id", Any, UNSET), ("code", Any, UNSET), ("identifier", Any, UNSET), *fields],
        tag_field="resourceType", tag=rtype, kw_only=True, forbid_unknown_fields=False, gc=False,
        module=__name__,
    )


CONTAINED_TYPES: Final = tuple(_lenient(f"Contained{t}", t) for t in sorted(R4_RESOURCE_TYPES))
"""A contained resource: any R4 type (none may be a finding: see :mod:`adapter.fhir.parse`)."""
if TYPE_CHECKING:
    AnyContained = Any
else:
    AnyContained = Union[CONTAINED_TYPES]  # noqa: UP007
Contained = Annotated[list[AnyContained], Meta(min_length=1)]


class Resource(Element, kw_only=True, tag_field="resourceType"):
    """A resource the adapter reads: its modifiers are refused, its id checked."""

    id: Id | UnsetType = UNSET
    implicitRules: _ImplicitRules = UNSET
    modifierExtension: _Modifier = UNSET
    contained: Contained | UnsetType = UNSET


class MessageSource(BackboneElement, kw_only=True):
    endpoint: String


class MessageHeader(Resource, kw_only=True, tag="MessageHeader"):
    eventCoding: Coding | UnsetType = UNSET
    eventUri: Any = UNSET
    eventCanonical: _r5("MessageHeader", "eventCanonical") = UNSET  # type: ignore[valid-type]
    source: MessageSource | UnsetType = UNSET
    focus: Annotated[list[Link], Meta(min_length=1)] | UnsetType = UNSET


class ModalityCoding(Coding, kw_only=True):
    coding: Annotated[UnsetType, Meta(extra={  # named at the modality: the whole is R5's
        **_text("modality is a Coding in FHIR R4 (a CodeableConcept only in R5)",
                "not-supported"), "at": "parent"})] = UNSET


class ImagingStudy(Resource, kw_only=True, tag="ImagingStudy"):
    extension: Annotated[list[Extension], Meta(min_length=1)] | UnsetType = UNSET
    identifier: Annotated[list[TaggedIdentifier], Meta(min_length=1)]
    status: Code
    modality: Annotated[list[ModalityCoding], Meta(min_length=1)]
    subject: Link
    started: DateTime
    basedOn: Annotated[list[Reference], Meta(min_length=1)] | UnsetType = UNSET
    procedure: _r5("ImagingStudy", "procedure") = UNSET  # type: ignore[valid-type]
    partOf: _r5("ImagingStudy", "partOf") = UNSET  # type: ignore[valid-type]


class ObservationResource(Resource, kw_only=True, tag="Observation"):
    status: Code | UnsetType = UNSET
    code: CodeableConcept | UnsetType = UNSET
    subject: Link | UnsetType = UNSET
    focus: Annotated[list[Link], Meta(min_length=1)] | UnsetType = UNSET
    derivedFrom: Annotated[list[Link], Meta(min_length=1)] | UnsetType = UNSET
    performer: Annotated[list[Reference], Meta(min_length=1)] | UnsetType = UNSET
    basedOn: Annotated[list[Reference], Meta(min_length=1)] | UnsetType = UNSET
    bodySite: CodeableConcept | UnsetType = UNSET
    component: Annotated[list[Component], Meta(min_length=1)] | UnsetType = UNSET
    triggeredBy: _r5("Observation", "triggeredBy") = UNSET  # type: ignore[valid-type]
    bodyStructure: _r5("Observation", "bodyStructure") = UNSET  # type: ignore[valid-type]
    instantiatesCanonical: _r5("Observation", "instantiatesCanonical") = UNSET  # type: ignore[valid-type]
    instantiatesReference: _r5("Observation", "instantiatesReference") = UNSET  # type: ignore[valid-type]
    valueQuantity: Quantity | UnsetType = UNSET
    valueCodeableConcept: CodeableConcept | UnsetType = UNSET
    valueInteger: Integer | UnsetType = UNSET
    valueString: String | UnsetType = UNSET
    valueDateTime: DateTime | UnsetType = UNSET


if TYPE_CHECKING:
    Observation = ObservationResource
else:
    Observation = _with_other_values(ObservationResource, tag="Observation")


class Patient(Resource, kw_only=True, tag="Patient"):
    identifier: Annotated[list[PatientIdentifier], Meta(min_length=1)] | UnsetType = UNSET


class BodyStructure(Resource, kw_only=True, tag="BodyStructure"):
    identifier: Annotated[list[TaggedIdentifier], Meta(min_length=1)] | UnsetType = UNSET
    location: CodeableConcept | UnsetType = UNSET
    patient: Link
    includedStructure: _r5("BodyStructure", "includedStructure") = UNSET  # type: ignore[valid-type]
    excludedStructure: _r5("BodyStructure", "excludedStructure") = UNSET  # type: ignore[valid-type]


READ_RESOURCES: Final = (MessageHeader, ImagingStudy, Observation, Patient, BodyStructure)
"""The resource types the rules and the answer read, declared element by element."""
_CONTAINED_FIELD: Final = (("contained", Contained | UnsetType, UNSET),)
_DIAGNOSTIC_REPORT_R5: Final = tuple(
    (name, _r5("DiagnosticReport", name), UNSET)
    for name in ("study", "supportingInfo", "note", "composition"))
OTHER_RESOURCES: Final = tuple(
    _lenient(f"{t}Resource", t,
             _CONTAINED_FIELD + (_DIAGNOSTIC_REPORT_R5 if t == "DiagnosticReport" else ()))
    for t in sorted(R4_RESOURCE_TYPES - {r.__struct_config__.tag for r in READ_RESOURCES})
)
"""The other R4 types: accepted in the Bundle and not read, but for their id, identifier and
code (a finding carried by the wrong type is refused) and what they contain; a
DiagnosticReport's R5-only elements are refused."""
if TYPE_CHECKING:
    AnyResource = Any
else:
    AnyResource = Annotated[Union[READ_RESOURCES + OTHER_RESOURCES],  # noqa: UP007
                            Meta(extra=_text("an entry needs a resource with a resourceType "
                                             "(a string)", "required"))]


BundleType = Annotated[Literal["message", "collection"], Meta(extra=_text(
    "{name} must be one of: collection, message", "code-invalid"))]


class BundleEntry(BackboneElement, kw_only=True):
    fullUrl: FullUrl
    resource: AnyResource


class Bundle(Element, kw_only=True, tag_field="resourceType", tag="Bundle"):
    """The input message: a FHIR R4 message (or collection) Bundle."""

    id: Id
    implicitRules: _ImplicitRules = UNSET
    type: BundleType
    timestamp: Instant
    entry: Annotated[list[BundleEntry], Meta(min_length=1)]
    issues: _r5("Bundle", "issues") = UNSET  # type: ignore[valid-type]

