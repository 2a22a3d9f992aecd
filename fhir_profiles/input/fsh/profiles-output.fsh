// Profiles of what the adapter publishes (README, "The FHIR contract", output).

RuleSet: MessageBundle
* id 1..1
* type = #message
* timestamp 1..1
* entry 2..*
* entry.fullUrl 1..1
* entry.resource 1..1

RuleSet: CodedComponent(slice, code, valueset)
* component[{slice}].code = SstrObservationCode#{code}
* component[{slice}].value[x] 1..1
* component[{slice}].value[x] only CodeableConcept
* component[{slice}].valueCodeableConcept from {valueset} (required)

RuleSet: TypedComponent(slice, code, type)
* component[{slice}].code = SstrObservationCode#{code}
* component[{slice}].value[x] 1..1
* component[{slice}].value[x] only {type}

Profile: SstrReportMessage
Parent: Bundle
Id: sstr-report-message
Title: "SSTR-RADS report message"
Description: "The response message: MessageHeader first (event sstr-rads-report, response to the findings message, focus the DiagnosticReport), Patient and ImagingStudy copied from the input, one SstrLesionAssessment per lesion, the SstrOverallAssessment, the SstrRadsReport, the SstrProvenance and the adapter Device."
* obeys sstr-bdl-4 and sstr-bdl-5
* insert MessageBundle

Profile: SstrTumourBoardMessage
Parent: Bundle
Id: sstr-tumour-board-message
Title: "PRRT tumour-board message"
Description: "Published when a tumour-board review is triggered, self-contained: MessageHeader first (event prrt-tumour-board-review, focus the Task), the SstrTumourBoardRequest, the SstrTumourBoardTask, the SstrTumourBoardFlag, their SstrProvenance (source entity: the input message id), the adapter Device, the operating Organization and the Patient."
* obeys sstr-bdl-6 and sstr-bdl-7
* insert MessageBundle

Profile: SstrLesionAssessment
Parent: Observation
Id: sstr-lesion-assessment
Title: "SSTR-RADS lesion assessment"
Description: "The SSTR-RADS 1.0 category of one lesion, the rule that decided it, the uptake level used and where it came from, the next steps and any ambiguity policy applied."
* obeys sstr-les-3 and sstr-asm-1
* code = SstrObservationCode#lesion-assessment
* subject 1..1
* subject only Reference(Patient)
* identifier 1..*
* derivedFrom 2..*
* derivedFrom only Reference(Observation or ImagingStudy)
* derivedFrom ^short = "The ImagingStudy (literal) and the input lesion finding (logical: identifier urn:ietf:rfc:3986 = its fullUrl)"
* focus MS
* focus only Reference(BodyStructure)
* bodySite MS
* value[x] 1..1
* value[x] only CodeableConcept
* valueCodeableConcept from SstrRadsCategoryVS (required)
* insert ComponentSlicing
* component contains
    decidingRule 1..1 and
    uptakeLevel 1..1 and
    uptakeLevelSource 1..1 and
    table1Prrt 0..1 and
    nextStep 0..* and
    representativeLesion 0..1 and
    waived 0..1 and
    ambiguity 0..*
* insert CodedComponent(decidingRule, deciding-rule, SstrRuleVS)
* insert TypedComponent(uptakeLevel, uptake-level, integer)
* insert CodedComponent(uptakeLevelSource, uptake-level-source, SstrUptakeSourceVS)
* insert TypedComponent(table1Prrt, table1-prrt, string)
* insert TypedComponent(nextStep, next-step, string)
* insert TypedComponent(representativeLesion, representative-lesion, boolean)
* insert TypedComponent(waived, waived, boolean)
* insert CodedComponent(ambiguity, ambiguity, SstrRuleVS)
* component[ambiguity] ^short = "An AMB- policy code; valueCodeableConcept.text gives the reason"

Profile: SstrOverallAssessment
Parent: Observation
Id: sstr-overall-assessment
Title: "SSTR-RADS overall assessment"
Description: "The overall SSTR-RADS 1.0 PET score (the highest lesion category), its lesion assessments as members, the PRRT recommendation, missing minimum data and ambiguity policies applied."
* obeys sstr-asm-1
* code = SstrObservationCode#overall-assessment
* identifier 1..*
* subject 1..1
* subject only Reference(Patient)
* value[x] 1..1
* value[x] only CodeableConcept
* valueCodeableConcept from SstrRadsCategoryVS (required)
* hasMember 1..*
* hasMember only Reference(Observation)
* insert ComponentSlicing
* component contains
    decidingRule 1..1 and
    prrtRecommendation 1..1 and
    missingMinimumData 0..* and
    ambiguity 0..*
* insert CodedComponent(decidingRule, deciding-rule, SstrRuleVS)
* insert CodedComponent(prrtRecommendation, prrt-recommendation, SstrPrrtRecommendationVS)
* insert CodedComponent(missingMinimumData, missing-minimum-data, SstrContextItemVS)
* insert CodedComponent(ambiguity, ambiguity, SstrRuleVS)

Profile: SstrRadsReport
Parent: DiagnosticReport
Id: sstr-rads-report
Title: "SSTR-RADS report"
Description: "The SSTR-RADS 1.0 report of one SSTR-PET/CT study: overall assessment first in result and conclusionCode, every 3C/3D lesion after it, a conclusion a clinician reads in ten seconds, a narrative lesion table and an HTML presented form."
* obeys sstr-dr-1
* status from SstrReportStatusVS (required)
* category 2..*
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains radiology 1..1 and nuclearMedicine 1..1
* category[radiology] = $LNC#LP29684-5 "Radiology"
* category[nuclearMedicine] = $V2-0074#NMS "Nuclear Medicine Scan"
* code 1..1
* code ^short = "The ordered procedure's code when the order is in the message, else LOINC 44139-4 PET whole body"
* basedOn MS
* basedOn ^short = "The order (ServiceRequest), by logical reference (identifier, e.g. the accession number)"
* resultsInterpreter MS
* resultsInterpreter ^short = "The reading physician: the findings' performer, by logical reference (identifier)"
* subject 1..1
* subject only Reference(Patient)
* effective[x] only dateTime
* effective[x] MS
* issued 1..1
* imagingStudy 1..*
* result 1..*
* result only Reference(Observation)
* result ^short = "The overall assessment first, then the lesion assessments"
* conclusion 1..1
* conclusionCode 1..*
* conclusionCode from SstrRadsCategoryVS (required)
* conclusionCode ^short = "The overall category first, then each 3C/3D lesion category"
* text 1..1
* presentedForm 1..*
* presentedForm.contentType 1..1
* presentedForm.data 1..1

Profile: SstrProvenance
Parent: Provenance
Id: sstr-provenance
Title: "SSTR-RADS report provenance"
Description: "Who produced the report from what: the adapter Device (version, rules version) as agent, the input message as source entity, the rules version as policy."
* obeys sstr-prv-1
* target 1..*
* policy 1..*
* policy ^short = "The SSTR-RADS rules version"
* activity 1..1
* activity = http://terminology.hl7.org/CodeSystem/v3-DataOperation#CREATE
* agent 1..*
* agent.type 1..1
* agent.type = http://terminology.hl7.org/CodeSystem/provenance-participant-type#author
* agent.who only Reference(Device or Organization or Practitioner)
* agent.onBehalfOf 1..1
* agent.onBehalfOf only Reference(Organization)
* entity 1..*

Profile: SstrTumourBoardRequest
Parent: ServiceRequest
Id: sstr-tumour-board-request
Title: "PRRT tumour-board review request"
Description: "The request for a PRRT tumour-board review, raised by the SSTR-RADS report: reason the overall assessment, supporting information the report (both by logical reference, so the tumour-board message stands alone). Its id belongs to the study: every message about the study updates the same request."
* identifier 1..*
* status MS
* intent = #proposal
* priority 1..1
* code 1..1
* code = SstrTaskCode#prrt-tumour-board-review
* subject 1..1
* subject only Reference(Patient)
* occurrence[x] only Period
* occurrencePeriod.end 1..1
* occurrencePeriod ^short = "From the message timestamp to the due date (SSTR_TUMOUR_BOARD_DUE_DAYS)"
* authoredOn 1..1
* requester 1..1
* requester only Reference(Device)
* performer 1..*
* performer ^short = "The tumour board (SSTR_TUMOUR_BOARD_NAME / _IDENTIFIER), by logical reference"
* reasonReference 1..*
* reasonReference only Reference(Observation)
* supportingInfo 1..*

Profile: SstrTumourBoardTask
Parent: Task
Id: sstr-tumour-board-task
Title: "PRRT tumour-board review task"
Description: "The worklist item: the tumour board is asked to review PRRT (focus the SstrTumourBoardRequest), with owner, performer type, requester, priority and due date. Its id belongs to the study (upsert)."
* identifier 1..*
* intent = #proposal
* status MS
* status ^short = "requested when the adapter raises it"
* basedOn 1..*
* basedOn only Reference(ServiceRequest)
* priority 1..1
* code 1..1
* code = SstrTaskCode#prrt-tumour-board-review
* focus 1..1
* focus only Reference(ServiceRequest)
* for 1..1
* for only Reference(Patient)
* authoredOn 1..1
* requester 1..1
* requester only Reference(Device)
* performerType 1..*
* owner 1..1
* owner ^short = "The tumour board (SSTR_TUMOUR_BOARD_NAME / _IDENTIFIER), by logical reference"
* reasonReference 1..1
* reasonReference only Reference(Observation)
* note 1..*
* note ^short = "The PRRT recommendation and its caveat"
* restriction 1..1
* restriction.period 1..1
* restriction.period.end 1..1
* restriction.period ^short = "Due date: message timestamp + SSTR_TUMOUR_BOARD_DUE_DAYS"

Profile: SstrTumourBoardFlag
Parent: Flag
Id: sstr-tumour-board-flag
Title: "PRRT tumour-board flag"
Description: "A chart banner that a PRRT tumour-board review is pending, until the review's due date. Its id belongs to the study (upsert)."
* status MS
* code.text 1..1
* subject only Reference(Patient)
* period 1..1
* period.start 1..1
* period.end 1..1
* period.end ^short = "The review's due date: the banner does not outlive the request"
* author 1..1

Profile: SstrNextStepRequest
Parent: ServiceRequest
Id: sstr-next-step-request
Title: "SSTR-RADS next-step request"
Description: "A follow-up (3A/3B: SSTR-PET or whole-body MRI in a window of months after the study) or work-up (3C/3D: tissue confirmation, 18F-FDG PET) the paper prescribes, proposed by the adapter: draft while the report is preliminary, active once it is final."
* identifier 1..*
* status MS
* intent = #proposal
* code 1..1
* code.coding 1..*
* code from SstrNextStepVS (required)
* subject 1..1
* subject only Reference(Patient)
* occurrence[x] 1..1
* occurrence[x] only Period
* occurrencePeriod.start 1..1
* occurrencePeriod ^short = "Follow-up: study date + 3..6 (or 3..3) months; work-up: from the report, no end (the paper gives none)"
* authoredOn 1..1
* requester 1..1
* requester only Reference(Device)
* reasonReference 1..*
* reasonReference only Reference(Observation)
* reasonReference ^short = "The lesion assessment(s) the step is for"
