// CodeSystems of the SSTR-RADS 1.0 vocabulary. The codes are the values of the
// enums in adapter/domain/model.py; tests/profiles keeps the two in step.

CodeSystem: SstrRadsCategory
Id: sstr-rads-category
Title: "SSTR-RADS 1.0 category"
Description: "Categories of SSTR-RADS 1.0 (Werner et al., Table 1). The overall PET score is the highest lesion category; 3A < 3B < 3C < 3D."
* ^caseSensitive = true
* ^content = #complete
* #1A "SSTR-RADS-1A" "Benign lesion characterized by biopsy or anatomic imaging without abnormal uptake; normal physiological biodistribution."
* #1B "SSTR-RADS-1B" "Benign lesion characterized by biopsy or anatomic imaging but with increased (focal) uptake."
* #2 "SSTR-RADS-2" "Likely benign: soft-tissue site atypical of metastatic NET or equivocal uptake in a bone lesion atypical for NET."
* #3A "SSTR-RADS-3A" "Equivocal uptake in a soft-tissue site typical for NET metastases."
* #3B "SSTR-RADS-3B" "Uptake in a bone lesion not atypical for NET."
* #3C "SSTR-RADS-3C" "Intense uptake in a site (highly) atypical for NET."
* #3D "SSTR-RADS-3D" "Anatomic imaging highly suggestive of malignancy but no SSTR uptake."
* #4 "SSTR-RADS-4" "Intense uptake in a site typical for NET without confirmatory anatomic findings."
* #5 "SSTR-RADS-5" "Intense uptake in a site typical for NET with corresponding anatomic findings."

CodeSystem: SstrSiteClass
Id: sstr-site-class
Title: "SSTR-RADS site class"
Description: "Where a finding lies in the terms of SSTR-RADS 1.0 Table 1 (the 'Findings' column)."
* ^caseSensitive = true
* ^content = #complete
* #physiologic "Physiologic" "Normal physiological biodistribution of the tracer."
* #typical-soft-tissue "Typical soft-tissue site" "Soft-tissue site typical for NET: liver, regional or mesenteric lymph nodes, pancreas, bowel."
* #atypical-soft-tissue "Atypical soft-tissue site" "Soft-tissue site atypical of metastatic NET, e.g. axillary lymph nodes."
* #highly-atypical "Highly atypical site" "Site highly atypical for NET, e.g. breast or a thyroid nodule."
* #bone-not-atypical "Bone lesion not atypical" "Bone lesion not atypical for NET."
* #bone-atypical "Bone lesion atypical" "Bone lesion atypical for NET, e.g. strongly suspected degenerative."

CodeSystem: SstrUptakeLevel
Id: sstr-uptake-level
Title: "SSTR-RADS uptake level"
Description: "Uptake levels of SSTR-RADS 1.0 Table 2. In Observations the level travels as valueInteger; this CodeSystem names the levels."
* ^caseSensitive = true
* ^content = #complete
* #0 "No uptake" "No uptake above background."
* #1 "At most blood pool" "Uptake less than or equal to the blood pool."
* #2 "Above blood pool" "Uptake greater than the blood pool and less than or equal to the liver."
* #3 "Above liver" "Uptake greater than the liver."

CodeSystem: SstrUptakeSource
Id: sstr-uptake-source
Title: "SSTR-RADS uptake level source"
Description: "Where the uptake level used for scoring came from."
* ^caseSensitive = true
* ^content = #complete
* #reader "Reader" "The reader's qualitative uptake level."
* #suv "SUV" "Derived from SUVmax against the reference SUVmean of blood pool and liver (Table 2)."
* #reader-over-suv "Reader over SUV" "Both given and they disagree: the reader's level is used."

CodeSystem: SstrAnatomicCorrelate
Id: sstr-anatomic-correlate
Title: "SSTR-RADS anatomic correlate"
Description: "The finding on CT or MRI at the site of the lesion."
* ^caseSensitive = true
* ^content = #complete
* #none "None" "No anatomic correlate."
* #non-suspicious "Non-suspicious" "An anatomic correlate that is not suspicious."
* #corresponding "Corresponding" "A corresponding finding on conventional imaging."
* #highly-suspicious "Highly suspicious" "Anatomic imaging highly suggestive of malignancy."

CodeSystem: SstrBenignEvidence
Id: sstr-benign-evidence
Title: "SSTR-RADS benign evidence"
Description: "Whether and how a finding is known to be benign."
* ^caseSensitive = true
* ^content = #complete
* #not-known "Not known benign" "No evidence that the finding is benign."
* #biopsy "Biopsy" "Characterized as benign by biopsy."
* #pathognomonic-imaging "Pathognomonic imaging" "Characterized as benign by pathognomonic anatomic imaging."

CodeSystem: SstrProgression
Id: sstr-progression
Title: "SSTR-RADS lesion progression"
Description: "Change of a lesion since a prior study."
* ^caseSensitive = true
* ^content = #complete
* #not-assessed "Not assessed" "No comparison with a prior study."
* #new "New" "Not seen on the prior study."
* #stable "Stable" "Unchanged since the prior study."
* #regressed "Regressed" "Smaller or less avid than on the prior study."
* #progressed "Progressed" "Larger or more avid than on the prior study."

CodeSystem: SstrPrrtRecommendation
Id: sstr-prrt-recommendation
Title: "SSTR-RADS PRRT recommendation"
Description: "Patient-level peptide receptor radionuclide therapy recommendation (Table 1 PRRT column and the Discussion). Inclusion and exclusion criteria of the IAEA/EANM/SNMMI guidance and ENETS guidelines still apply."
* ^caseSensitive = true
* ^content = #complete
* #definitely-consider "PRRT definitely to be considered" "Overall SSTR-RADS-5."
* #consider "PRRT to be considered" "Overall SSTR-RADS-4."
* #combined-prrt-locoregional "Combined PRRT and locoregional procedure" "A single 3D lesion with otherwise SSTR-expressing disease."
* #may-consider "PRRT may be considered" "Several 3B lesions and no 4/5."
* #locoregional "Locoregional procedure" "A single 3B lesion and no 4/5."
* #ruled-out "PRRT ruled out" "Several 3D (dedifferentiated) lesions."
* #not-considered "PRRT not to be considered" "Otherwise."

CodeSystem: SstrWhoGrade
Id: sstr-who-grade
Title: "WHO grade of neuroendocrine neoplasms"
Description: "WHO grade of the neuroendocrine neoplasm as reported in the clinical context."
* ^caseSensitive = true
* ^content = #complete
* #G1 "G1" "Well differentiated, low grade."
* #G2 "G2" "Well differentiated, intermediate grade."
* #G3 "G3" "Well differentiated, high grade."

CodeSystem: SstrPriorTherapy
Id: sstr-prior-therapy
Title: "SSTR-RADS prior therapy"
Description: "Prior therapies that SSTR-RADS 1.0 Supplementary Table 1 asks for."
* ^caseSensitive = true
* ^content = #complete
* #ssa "Somatostatin analogue" "Somatostatin analogue therapy."
* #prrt "PRRT" "Peptide receptor radionuclide therapy."
* #chemotherapy "Chemotherapy" "Systemic chemotherapy."
* #surgery "Surgery" "Surgical resection."
* #locoregional "Locoregional therapy" "Locoregional procedure, e.g. embolization or ablation."
* #targeted "Targeted therapy" "Targeted therapy, e.g. everolimus or sunitinib."
* #other "Other" "Another therapy."
* #none "None" "Reported: no prior therapy."
