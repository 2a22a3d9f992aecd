// Project CodeSystems for concepts of the message contract that no LOINC, SNOMED CT
// or DICOM code was found for (README.md, "Codes").

CodeSystem: SstrObservationCode
Id: sstr-observation-code
Title: "SSTR adapter observation and component codes"
Description: "Codes of the Observations and Observation components of the SSTR-PET findings and SSTR-RADS report messages."
* ^caseSensitive = true
* ^content = #complete
* #lesion-finding "SSTR-PET lesion finding" "One lesion as the reader describes it (input)."
* #site-class "Site class" "Where the finding lies in SSTR-RADS Table 1 terms."
* #uptake-level "Uptake level" "SSTR-RADS Table 2 uptake level 0-3."
* #uptake-level-source "Uptake level source" "Where the uptake level used for scoring came from."
* #anatomic-correlate "Anatomic correlate" "The CT/MRI finding at the site of the lesion."
* #benign-evidence "Benign evidence" "Whether the finding is known benign."
* #progression "Progression" "Change of the lesion since a prior study."
* #lesion-size "Lesion size" "Maximum diameter of the lesion."
* #organ-system "Organ system" "The organ system the lesion belongs to (grouping for representative lesions)."
* #reference-uptake "Reference uptake" "SUVmean of the reference regions of SSTR-RADS Table 2."
* #reference-liver-suvmean "Liver SUVmean" "SUVmean of the liver reference region."
* #reference-blood-pool-suvmean "Blood pool SUVmean" "SUVmean of the blood-pool reference region."
* #clinical-context "Clinical context" "Supplementary Table 1: minimum required data in a clinical report."
* #lesion-assessment "SSTR-RADS lesion assessment" "The SSTR-RADS 1.0 category of one lesion (output)."
* #overall-assessment "SSTR-RADS overall assessment" "The overall SSTR-RADS 1.0 PET score of the study (output)."
* #deciding-rule "Deciding rule" "The SSTR-RADS rule that decided the category."
* #ambiguity "Ambiguity" "A decision the paper does not dictate, and the policy applied."
* #prrt-recommendation "PRRT recommendation" "Patient-level PRRT recommendation."
* #table1-prrt "Table 1 PRRT column" "The PRRT column of Table 1 for the lesion's row."
* #next-step "Next step" "A work-up or follow-up step the paper prescribes."
* #representative-lesion "Representative lesion" "The lesion is the representative lesion of its organ system (more than 5 positive lesions)."
* #waived "Waived" "A 3A/3B finding waived under an overall 4 or 5."
* #missing-minimum-data "Missing minimum data" "A Supplementary Table 1 item that was not supplied."

CodeSystem: SstrContextItem
Id: sstr-context-item
Title: "SSTR-RADS clinical context item"
Description: "Items of SSTR-RADS 1.0 Supplementary Table 1 (minimum required data in a clinical report), plus the grade and Ki-67 components that together carry 'ki67-or-grade'."
* ^caseSensitive = true
* ^content = #complete
* #primary-tumour "Primary tumour" "Primary tumour site or type."
* #biopsy-date "Biopsy date" "Date of the biopsy."
* #ki67-or-grade "Ki-67 or grade" "Proliferation index or WHO grade."
* #primary-diagnosis-date "Primary diagnosis date" "Date of the primary diagnosis."
* #symptoms "Symptoms" "Symptoms, e.g. of a carcinoid syndrome."
* #previous-therapies "Previous therapies" "Prior therapies."
* #previous-imaging "Previous imaging" "Prior imaging studies for comparison."
* #other-malignancies "Other malignancies" "Other known malignancies."
* #laboratory "Laboratory" "Laboratory values, e.g. chromogranin A."
* #injected-activity "Injected activity" "Injected activity of the radiopharmaceutical."
* #uptake-time "Uptake time" "Time from injection to acquisition."
* #field-of-view "Field of view" "Field of view of the acquisition."
* #grade "WHO grade" "WHO grade of the neuroendocrine neoplasm (G1-G3)."
* #ki67 "Ki-67 index" "Ki-67 proliferation index in percent."

CodeSystem: SstrRadiopharmaceutical
Id: sstr-radiopharmaceutical
Title: "SSTR-PET radiopharmaceutical"
Description: "Somatostatin-receptor PET radiopharmaceuticals that DICOM CID 4021 (PET Radiopharmaceutical) has no code for, and for which no SNOMED CT or UMLS concept was found. 68Ga-DOTATATE (SNOMED CT 724025002) and 68Ga-DOTATOC (UMLS C2713594) are sent with their CID 4021 codes (ValueSet sstr-radiopharmaceutical), so they have no project code."
* ^caseSensitive = true
* ^content = #complete
* #ga68-dotanoc "68Ga-DOTANOC" "Gallium (68Ga) DOTA-1-NaI3-octreotide."
* #ga68-nodaga-jr11 "68Ga-NODAGA-JR11" "Gallium (68Ga) NODAGA-JR11 (satoreotide trizoxetan), an SSTR antagonist."

CodeSystem: SstrMessageEvent
Id: sstr-message-event
Title: "SSTR adapter message events"
Description: "Events of the messages the adapter receives and publishes (MessageHeader.eventCoding)."
* ^caseSensitive = true
* ^content = #complete
* #sstr-pet-findings "SSTR-PET findings" "A sender submits the findings of one SSTR-PET study for scoring."
* #sstr-rads-report "SSTR-RADS report" "The adapter publishes the SSTR-RADS report of a study."
* #prrt-tumour-board-review "PRRT tumour-board review" "The adapter asks for a tumour-board review of PRRT."

CodeSystem: SstrTaskCode
Id: sstr-task-code
Title: "SSTR adapter task codes"
Description: "Codes of the Tasks the adapter proposes. NCIt C93304 'Tumor Board Review' is sent beside it; no SNOMED CT or LOINC code was found."
* ^caseSensitive = true
* ^content = #complete
* #prrt-tumour-board-review "PRRT tumour-board review" "Review by the tumour board whether peptide receptor radionuclide therapy should be given."

CodeSystem: SstrOrganSystem
Id: sstr-organ-system
Title: "SSTR-RADS organ system"
Description: "Organ systems used to group lesions when choosing a representative lesion per system (more than 5 positive lesions, Discussion). Senders may also send a SNOMED CT body structure code instead."
* ^caseSensitive = true
* ^content = #complete
* #bone "Bone" "Skeleton."
* #liver "Liver" "Liver."
* #lymph-node "Lymph nodes" "Lymph nodes."
* #pancreas "Pancreas" "Pancreas."
* #gastrointestinal "Gastrointestinal tract" "Stomach, small and large bowel."
* #lung "Lung" "Lung and pleura."
* #adrenal "Adrenal gland" "Adrenal glands."
* #peritoneum "Peritoneum" "Peritoneum and mesentery."
* #breast "Breast" "Breast."
* #thyroid "Thyroid" "Thyroid gland."
* #soft-tissue "Other soft tissue" "Other soft tissue."
* #other "Other" "Another organ system."

CodeSystem: SstrNextStep
Id: sstr-next-step
Title: "SSTR-RADS next steps"
Description: "The follow-up and work-up steps of SSTR-RADS 1.0 a scheduler acts on (ServiceRequest.code of SstrNextStepRequest). No LOINC, SNOMED CT or DICOM code for these orderables was verified offline; the request's text repeats the paper's wording."
* ^caseSensitive = true
* ^content = #complete
* #follow-up-imaging "Follow-up SSTR-PET or whole-body MRI" "3A/3B follow-up imaging after 3-6 months, or 3 months with a raised proliferation index (SSTR-RADS-3 section)."
* #fdg-pet "18F-FDG PET" "3D work-up: 18F-FDG PET might be of value (Table 1, row 3D)."
* #tissue-confirmation "Tissue confirmation of tumour histology" "3C/3D work-up: tissue confirmation (biopsy) should be considered (Table 1, rows 3C and 3D)."
