// One ValueSet per project CodeSystem (all codes), plus the radiopharmaceutical
// value set (the SSTR tracers of DICOM CID 4021 and the project's extension of it) and the
// Bundle types accepted on input.

ValueSet: SstrRadsCategoryVS
Id: sstr-rads-category
Title: "SSTR-RADS 1.0 categories"
Description: "All SSTR-RADS 1.0 categories."
* include codes from system SstrRadsCategory

ValueSet: SstrSiteClassVS
Id: sstr-site-class
Title: "SSTR-RADS site classes"
Description: "All site classes."
* include codes from system SstrSiteClass

ValueSet: SstrUptakeLevelVS
Id: sstr-uptake-level
Title: "SSTR-RADS uptake levels"
Description: "All Table 2 uptake levels."
* include codes from system SstrUptakeLevel

ValueSet: SstrUptakeSourceVS
Id: sstr-uptake-source
Title: "SSTR-RADS uptake level sources"
Description: "All uptake level sources."
* include codes from system SstrUptakeSource

ValueSet: SstrAnatomicCorrelateVS
Id: sstr-anatomic-correlate
Title: "SSTR-RADS anatomic correlates"
Description: "All anatomic correlates."
* include codes from system SstrAnatomicCorrelate

ValueSet: SstrBenignEvidenceVS
Id: sstr-benign-evidence
Title: "SSTR-RADS benign evidence"
Description: "All kinds of benign evidence."
* include codes from system SstrBenignEvidence

ValueSet: SstrProgressionVS
Id: sstr-progression
Title: "SSTR-RADS lesion progression"
Description: "All progression states."
* include codes from system SstrProgression

ValueSet: SstrPrrtRecommendationVS
Id: sstr-prrt-recommendation
Title: "SSTR-RADS PRRT recommendations"
Description: "All PRRT recommendations."
* include codes from system SstrPrrtRecommendation

ValueSet: SstrRuleVS
Id: sstr-rule
Title: "SSTR-RADS rules and policies"
Description: "All rules and ambiguity policies."
* include codes from system SstrRule

ValueSet: SstrObservationCodeVS
Id: sstr-observation-code
Title: "SSTR adapter observation codes"
Description: "All observation and component codes of the project."
* include codes from system SstrObservationCode

ValueSet: SstrContextItemVS
Id: sstr-context-item
Title: "SSTR-RADS clinical context items"
Description: "All clinical context items."
* include codes from system SstrContextItem

ValueSet: SstrPriorTherapyVS
Id: sstr-prior-therapy
Title: "SSTR-RADS prior therapies"
Description: "All prior therapies, including 'none'."
* include codes from system SstrPriorTherapy

ValueSet: SstrWhoGradeVS
Id: sstr-who-grade
Title: "WHO grades"
Description: "WHO grades G1-G3."
* include codes from system SstrWhoGrade

ValueSet: SstrRadiopharmaceuticalVS
Id: sstr-radiopharmaceutical
Title: "SSTR-PET radiopharmaceuticals"
Description: "SSTR-PET radiopharmaceuticals, bound extensibly: the somatostatin-receptor tracers of DICOM CID 4021 (PET Radiopharmaceutical), SNOMED CT 724025002 (68Ga-DOTATATE) and UMLS C2713594 (68Ga-DOTATOC), extended by project codes for 68Ga-DOTANOC and 68Ga-NODAGA-JR11, which CID 4021 lacks. A sender uses another code only when none of these fits, and then names the tracer in text or display."
* $SCT#724025002 "Gallium (68-Ga) dotatate"
* $UMLS#C2713594 "68Ga-DOTATOC"
* include codes from system SstrRadiopharmaceutical

ValueSet: SstrMessageEventVS
Id: sstr-message-event
Title: "SSTR adapter message events"
Description: "All message events of the adapter."
* include codes from system SstrMessageEvent

ValueSet: SstrTaskCodeVS
Id: sstr-task-code
Title: "SSTR adapter task codes"
Description: "All task codes of the adapter."
* include codes from system SstrTaskCode

ValueSet: SstrOrganSystemVS
Id: sstr-organ-system
Title: "SSTR-RADS organ systems"
Description: "All organ systems of the project."
* include codes from system SstrOrganSystem

ValueSet: SstrFindingsBundleTypeVS
Id: sstr-findings-bundle-type
Title: "Bundle types accepted on input"
Description: "A findings message is a message Bundle; a collection Bundle is also accepted (its Bundle.id is then the message id)."
* $BUNDLETYPE#message
* $BUNDLETYPE#collection

ValueSet: SstrFindingStatusVS
Id: sstr-finding-status
Title: "Statuses of a lesion finding"
Description: "Observation statuses a sender may give a lesion finding."
* http://hl7.org/fhir/observation-status#preliminary
* http://hl7.org/fhir/observation-status#final
* http://hl7.org/fhir/observation-status#amended
* http://hl7.org/fhir/observation-status#corrected

ValueSet: SstrReportStatusVS
Id: sstr-report-status
Title: "Statuses of an SSTR-RADS report"
Description: "preliminary (the default, and whenever a finding is preliminary), final (setting SSTR_REPORT_STATUS=final), or amended/corrected when any input lesion finding is."
* http://hl7.org/fhir/diagnostic-report-status#preliminary
* http://hl7.org/fhir/diagnostic-report-status#final
* http://hl7.org/fhir/diagnostic-report-status#amended
* http://hl7.org/fhir/diagnostic-report-status#corrected

ValueSet: SstrNextStepVS
Id: sstr-next-step
Title: "SSTR-RADS next steps"
Description: "All next steps a scheduler acts on."
* include codes from system SstrNextStep
