"""FHIR R4 (4.0.1) facts the reader checks on every message, whatever its content.

- the resource types of R4, so that a misspelled or unknown ``resourceType`` (``Observaton``,
  ``observation``, an R5-only type) is rejected instead of skipped as "another resource";
- modifiers: an unknown ``modifierExtension`` or an ``implicitRules`` may change the meaning of
  a resource, and FHIR requires a receiver that does not understand it to refuse the resource;
- choice elements: one ``value[x]`` per element (``valueInteger`` and ``valueQuantity`` on one
  component are two answers to one question).
"""

from __future__ import annotations

from typing import Any, Final

from adapter.fhir.problems import IssueCode, Problems

R4_RESOURCE_TYPES: Final = frozenset(
    """
    Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
    AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle
    CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim
    ClaimResponse ClinicalImpression CodeSystem Communication CommunicationRequest
    CompartmentDefinition Composition ConceptMap Condition Consent Contract Coverage
    CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device
    DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport
    DocumentManifest DocumentReference EffectEvidenceSynthesis Encounter Endpoint
    EnrollmentRequest EnrollmentResponse EpisodeOfCare EventDefinition Evidence
    EvidenceVariable ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal
    GraphDefinition Group GuidanceResponse HealthcareService ImagingStudy Immunization
    ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide InsurancePlan
    Invoice Library Linkage List Location Measure MeasureReport Media Medication
    MedicationAdministration MedicationDispense MedicationKnowledge MedicationRequest
    MedicationStatement MedicinalProduct MedicinalProductAuthorization
    MedicinalProductContraindication MedicinalProductIndication MedicinalProductIngredient
    MedicinalProductInteraction MedicinalProductManufactured MedicinalProductPackaged
    MedicinalProductPharmaceutical MedicinalProductUndesirableEffect MessageDefinition
    MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization
    OrganizationAffiliation Parameters Patient PaymentNotice PaymentReconciliation Person
    PlanDefinition Practitioner PractitionerRole Procedure Provenance Questionnaire
    QuestionnaireResponse RelatedPerson RequestGroup ResearchDefinition
    ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
    RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen
    SpecimenDefinition StructureDefinition StructureMap Subscription Substance
    SubstanceNucleicAcid SubstancePolymer SubstanceProtein SubstanceReferenceInformation
    SubstanceSourceMaterial SubstanceSpecification SupplyDelivery SupplyRequest Task
    TerminologyCapabilities TestReport TestScript ValueSet VerificationResult
    VisionPrescription
""".split()  # noqa: SIM905 (a word list reads better than 146 quoted names)
)
"""Every concrete resource type of FHIR R4 4.0.1 (tests check it against the R4 definitions)."""
UNKNOWN_TYPE = "resourceType is not a FHIR R4 resource type (names are case-sensitive)"


def check_modifiers(obj: dict[str, Any], path: str, problems: Problems) -> None:
    """A read resource or element: no ``modifierExtension`` (the adapter understands none) and,
    on a resource, no ``implicitRules``."""
    if "modifierExtension" in obj:
        problems.add(IssueCode.NOT_SUPPORTED, f"{path}.modifierExtension",
                     "modifier extensions are not understood by this receiver: the element "
                     "cannot be processed (FHIR R4, Extensibility)")
    if "implicitRules" in obj:
        problems.add(IssueCode.NOT_SUPPORTED, f"{path}.implicitRules",
                     "implicitRules is not understood by this receiver: the resource cannot be "
                     "processed")


VALUE_X: Final = frozenset(f"value{t}" for t in """
    Base64Binary Boolean Canonical Code Date DateTime Decimal Id Instant Integer Markdown Oid
    PositiveInt String Time UnsignedInt Uri Url Uuid Address Age Annotation Attachment
    CodeableConcept Coding ContactPoint Count Distance Duration HumanName Identifier Money
    Period Quantity Range Ratio Reference SampledData Signature Timing ContactDetail
    Contributor DataRequirement Expression ParameterDefinition RelatedArtifact
    TriggerDefinition UsageContext Dosage Meta
""".split())  # noqa: SIM905 (a word list reads better)
"""Every ``value[x]`` element name of R4 (Extension.value[x] admits all these types)."""


def check_one_value(obj: dict[str, Any], path: str, problems: Problems) -> None:
    """At most one ``value[x]`` on an element (Observation, component, extension)."""
    if len(VALUE_X.intersection(obj)) < 2:  # C-speed: the usual case costs no Python loop
        return
    found = [key for key in obj if key in VALUE_X]
    if len(found) > 1:
        for key in found:
            problems.add(IssueCode.STRUCTURE, f"{path}.{key}",
                         "only one value[x] is allowed on an element; this one has "
                         f"{len(found)}")


def check_element(obj: dict[str, Any], path: str, problems: Problems) -> None:
    """A read backbone element (an Observation component): no modifier, one value[x]."""
    check_modifiers(obj, path, problems)
    check_one_value(obj, path, problems)
