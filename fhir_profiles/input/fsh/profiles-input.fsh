// Profiles of the findings message a sender submits (README, "The FHIR contract", input).

RuleSet: ComponentSlicing
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #open
* component ^slicing.description = "Components are identified by their code."

Profile: SstrFindingsMessage
Parent: Bundle
Id: sstr-findings-message
Title: "SSTR-PET findings message"
Description: "A message Bundle (or a collection Bundle) carrying the findings of one SSTR-PET/CT study: MessageHeader first (event sstr-pet-findings, focus the ImagingStudy), Patient, the SstrPetImagingStudy, an optional SstrReferenceUptake, one SstrLesionFinding per lesion with its SstrLesionBodyStructure, an optional SstrClinicalContext."
* obeys sstr-bdl-1 and sstr-bdl-2 and sstr-bdl-3
* id 1..1
* type from SstrFindingsBundleTypeVS (required)
* timestamp 1..1
* timestamp ^short = "Used as the date of every output resource (outputs are byte-identical for the same input)"
* entry 2..*
* entry.fullUrl 1..1
* entry.resource 1..1

Profile: SstrPetImagingStudy
Parent: ImagingStudy
Id: sstr-pet-imaging-study
Title: "SSTR-PET/CT imaging study"
Description: "The SSTR-PET/CT study: DICOM Study Instance UID, modalities PT and CT, radiopharmaceutical, injected activity, uptake time, field of view."
* obeys sstr-img-1 and sstr-img-2
* extension contains
    Radiopharmaceutical named radiopharmaceutical 0..1 MS and
    InjectedActivity named injectedActivity 0..1 MS and
    UptakeTime named uptakeTime 0..1 MS and
    FieldOfView named fieldOfView 0..1 MS
* identifier 1..*
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier contains studyInstanceUid 1..1
* identifier[studyInstanceUid].system 1..1
* identifier[studyInstanceUid].system = "urn:dicom:uid"
* identifier[studyInstanceUid].value 1..1
* identifier[studyInstanceUid].value ^short = "urn:oid:<Study Instance UID>"
* subject only Reference(Patient)
* started MS
* modality 2..*

Profile: SstrReferenceUptake
Parent: Observation
Id: sstr-reference-uptake
Title: "SSTR-PET reference uptake"
Description: "SUVmean of the Table 2 reference regions, liver and blood pool, in g/ml{SUVbw}."
* obeys sstr-ref-1
* code = SstrObservationCode#reference-uptake
* derivedFrom 1..*
* derivedFrom only Reference(ImagingStudy)
* value[x] 0..0
* insert ComponentSlicing
* component contains liver 1..1 and bloodPool 1..1
* component[liver].code = SstrObservationCode#reference-liver-suvmean
* component[liver].value[x] 1..1
* component[liver].value[x] only Quantity
* component[liver].valueQuantity = $UCUM#g/ml{SUVbw}
* component[bloodPool].code = SstrObservationCode#reference-blood-pool-suvmean
* component[bloodPool].value[x] 1..1
* component[bloodPool].value[x] only Quantity
* component[bloodPool].valueQuantity = $UCUM#g/ml{SUVbw}

Profile: SstrLesionBodyStructure
Parent: BodyStructure
Id: sstr-lesion-body-structure
Title: "SSTR-PET lesion"
Description: "The identity of one lesion across studies: its tracking identifier (DICOM SR 'Tracking Identifier' / mCODE pattern) and SNOMED CT location."
* identifier 1..*
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier contains trackingId 1..1
* identifier[trackingId].system 1..1
* identifier[trackingId].system = "https://fhir.sstr-adapter.org/identifier/lesion-tracking-id"
* identifier[trackingId].value 1..1
* location MS
* patient only Reference(Patient)

Profile: SstrLesionFinding
Parent: Observation
Id: sstr-lesion-finding
Title: "SSTR-PET lesion finding"
Description: "One lesion as the reader describes it: body site, site class, anatomic correlate, uptake level and/or SUVmax, benign evidence, progression, size, organ system."
* obeys sstr-les-1 and sstr-les-2 and sstr-les-3 and sstr-les-4 and sstr-les-5
* status from SstrFindingStatusVS (required)
* code = SstrObservationCode#lesion-finding
* subject 1..1
* subject only Reference(Patient)
* focus 1..1
* focus only Reference(BodyStructure)
* derivedFrom 1..*
* derivedFrom only Reference(ImagingStudy)
* bodySite 1..1
* bodySite ^short = "SNOMED CT body site; text (or a coding display) gives the anatomic description"
* value[x] 0..0
* insert ComponentSlicing
* component contains
    siteClass 1..1 and
    anatomicCorrelate 1..1 and
    uptakeLevel 0..1 and
    suvMax 0..1 and
    benignEvidence 0..1 and
    progression 0..1 and
    lesionSize 0..1 and
    organSystem 0..1
* component[siteClass].code = SstrObservationCode#site-class
* component[siteClass].value[x] 1..1
* component[siteClass].value[x] only CodeableConcept
* component[siteClass].valueCodeableConcept from SstrSiteClassVS (required)
* component[anatomicCorrelate].code = SstrObservationCode#anatomic-correlate
* component[anatomicCorrelate].value[x] 1..1
* component[anatomicCorrelate].value[x] only CodeableConcept
* component[anatomicCorrelate].valueCodeableConcept from SstrAnatomicCorrelateVS (required)
* component[uptakeLevel].code = SstrObservationCode#uptake-level
* component[uptakeLevel].value[x] 1..1
* component[uptakeLevel].value[x] only integer
* component[suvMax].code = $DCM#126401
* component[suvMax].code ^short = "DCM 126401 SUVbw (system and code pinned; any display)"
* component[suvMax].extension contains MeasurementDerivation named derivation 0..1
* component[suvMax].extension[derivation] ^short = "Required (invariant sstr-les-5): SNOMED CT 56851009 Maximum"
* component[suvMax].extension[derivation].valueCodeableConcept = $SCT#56851009
* component[suvMax].value[x] 1..1
* component[suvMax].value[x] only Quantity
* component[suvMax].valueQuantity = $UCUM#g/ml{SUVbw}
* component[benignEvidence].code = SstrObservationCode#benign-evidence
* component[benignEvidence].value[x] 1..1
* component[benignEvidence].value[x] only CodeableConcept
* component[benignEvidence].valueCodeableConcept from SstrBenignEvidenceVS (required)
* component[benignEvidence] ^short = "Absent means not-known"
* component[progression].code = SstrObservationCode#progression
* component[progression].value[x] 1..1
* component[progression].value[x] only CodeableConcept
* component[progression].valueCodeableConcept from SstrProgressionVS (required)
* component[progression] ^short = "Absent means not-assessed"
* component[lesionSize].code = SstrObservationCode#lesion-size
* component[lesionSize].value[x] 1..1
* component[lesionSize].value[x] only Quantity
* component[lesionSize].valueQuantity = $UCUM#mm
* component[lesionSize] ^short = "Maximum diameter in mm"
* component[organSystem].code = SstrObservationCode#organ-system
* component[organSystem].value[x] 1..1
* component[organSystem].value[x] only CodeableConcept
* component[organSystem].valueCodeableConcept from SstrOrganSystemVS (extensible)
* component[organSystem] ^short = "Absent: bone for bone site classes, else derived from the bodySite SNOMED CT code (organ-system table)"

Profile: SstrClinicalContext
Parent: Observation
Id: sstr-clinical-context
Title: "SSTR-RADS clinical context"
Description: "Supplementary Table 1 items (minimum required data in a clinical report), one component per item."
* code = SstrObservationCode#clinical-context
* value[x] 0..0
* insert ComponentSlicing
* component contains
    primaryTumour 0..1 and
    grade 0..1 and
    ki67 0..1 and
    biopsyDate 0..1 and
    primaryDiagnosisDate 0..1 and
    symptoms 0..1 and
    previousTherapies 0..* and
    previousImaging 0..1 and
    otherMalignancies 0..1 and
    laboratory 0..1
* component[primaryTumour].code = SstrContextItem#primary-tumour
* component[primaryTumour].value[x] 1..1
* component[primaryTumour].value[x] only CodeableConcept
* component[grade].code = SstrContextItem#grade
* component[grade].value[x] 1..1
* component[grade].value[x] only CodeableConcept
* component[grade].valueCodeableConcept from SstrWhoGradeVS (required)
* component[ki67].code = SstrContextItem#ki67
* component[ki67].value[x] 1..1
* component[ki67].value[x] only Quantity
* component[ki67].valueQuantity = $UCUM#%
* component[biopsyDate].code = SstrContextItem#biopsy-date
* component[biopsyDate].value[x] 1..1
* component[biopsyDate].value[x] only dateTime
* component[primaryDiagnosisDate].code = SstrContextItem#primary-diagnosis-date
* component[primaryDiagnosisDate].value[x] 1..1
* component[primaryDiagnosisDate].value[x] only dateTime
* component[symptoms].code = SstrContextItem#symptoms
* component[symptoms].value[x] 1..1
* component[symptoms].value[x] only string
* component[previousTherapies].code = SstrContextItem#previous-therapies
* component[previousTherapies].value[x] 1..1
* component[previousTherapies].value[x] only CodeableConcept
* component[previousTherapies].valueCodeableConcept from SstrPriorTherapyVS (required)
* component[previousImaging].code = SstrContextItem#previous-imaging
* component[previousImaging].value[x] 1..1
* component[previousImaging].value[x] only string
* component[otherMalignancies].code = SstrContextItem#other-malignancies
* component[otherMalignancies].value[x] 1..1
* component[otherMalignancies].value[x] only string
* component[laboratory].code = SstrContextItem#laboratory
* component[laboratory].value[x] 1..1
* component[laboratory].value[x] only string
