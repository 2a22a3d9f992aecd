"""Every rule and every ambiguity policy, with the paper's words beside it.

A rule code names the place in SSTR-RADS 1.0 (Werner et al.) that a decision
comes from: ``T1-...`` a row of Table 1, ``T2-...`` a level of Table 2, ``TXT-...``
a sentence of the text, ``DISC-...`` the Discussion. ``AMB-...`` codes are the
adapter's own documented decisions where the paper is silent; each one is listed
in the README's policy table and is written into the report when it applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    source: str
    """Where in the paper: "Table 1, row 3A", "Discussion", ..."""
    paper: str
    """The paper's wording (abridged)."""
    decision: str
    """What the adapter does with it."""
    setting: str | None = None
    """The ``SSTR_`` setting that tunes the decision, if any (adapter/settings.py)."""


RULES: Final[dict[str, Rule]] = {
    r.code: r
    for r in (
        Rule("T1-1A", "Table 1, row 1A; SSTR-RADS-1 section; Fig. 1",
             "Benign lesion, characterized by biopsy or anatomic imaging and without any "
             "abnormal uptake; normal physiological biodistribution (uptake level 1).",
             "Known-benign finding with uptake level 0-1, or a finding the reader places in the "
             "physiological biodistribution, is 1A."),
        Rule("T1-1B", "Table 1, row 1B; SSTR-RADS-1 section; Fig. 2; Suppl. Fig. 1",
             "Benign lesion, characterized by biopsy or anatomic imaging but with increased "
             "(focal) uptake (uptake level 2-3).",
             "Known-benign finding with uptake level 2-3 is 1B."),
        Rule("T1-2", "Table 1, row 2; SSTR-RADS-2 section; Fig. 3",
             "Soft-tissue site atypical of metastatic NET (e.g. axillary lymph nodes); equivocal "
             "uptake in bone lesion atypical for NET (e.g. degenerative) (uptake level 1).",
             "Level 1 uptake in an atypical soft-tissue site, a highly atypical site, or an "
             "atypical (degenerative) bone lesion is 2 (unless the anatomic finding is highly "
             "suspicious: AMB-SUSPICIOUS-LOW-UPTAKE)."),
        Rule("T1-3A", "Table 1, row 3A; SSTR-RADS-3 section; Fig. 4",
             "Equivocal uptake in soft-tissue sites typical for NET metastases, such as regional "
             "lymph nodes (uptake level 1-2).",
             "Level 1-2 uptake in a typical soft-tissue site is 3A."),
        Rule("T1-3B", "Table 1, row 3B; SSTR-RADS-3 section; Fig. 5",
             "Uptake in bone lesions not atypical for NET (uptake level 1-2).",
             "Level 1-2 uptake in a bone lesion not atypical for NET is 3B."),
        Rule("T1-3C", "Table 1, row 3C; SSTR-RADS-3 section; Fig. 6",
             "Intense uptake in a site (highly) atypical for NET, e.g. breast (uptake level 3).",
             "Level 3 uptake in an atypical or highly atypical soft-tissue site is 3C."),
        Rule("T1-3D", "Table 1, row 3D; SSTR-RADS-3 section; Fig. 7",
             "Anatomic imaging highly suggestive of malignancy, but no SSTR uptake.",
             "No uptake (level 0) with a highly suspicious anatomic correlate is 3D, whatever the "
             "site."),
        Rule("T1-4", "Table 1, row 4; SSTR-RADS-4 section; Fig. 8",
             "Intense uptake in a site typical for NET, without confirmatory findings on anatomic "
             "imaging (e.g. bone lesions or small LN non-suspicious on CT) (uptake level 3).",
             "Level 3 uptake in a typical soft-tissue site or non-atypical bone lesion with no or "
             "a non-suspicious anatomic correlate is 4."),
        Rule("T1-5", "Table 1, row 5; SSTR-RADS-5 section; Fig. 9",
             "Intense uptake in a site typical for NET with corresponding findings on "
             "conventional imaging (uptake level 3).",
             "Level 3 uptake in a typical site with a corresponding or highly suspicious anatomic "
             "correlate is 5."),
        Rule("TXT-3-PROGRESSION", "SSTR-RADS-3 section",
             "Any progression of the lesions would lead to an upgrade to either SSTR-RADS-4 or "
             "SSTR-RADS-5.",
             "A 3A/3B lesion that progressed is upgraded: to 5 or 4 by its anatomic correlate "
             "(AMB-PROGRESSION-UPGRADE)."),
        Rule("TXT-1-RESCORE", "SSTR-RADS-1 section; Suppl. Fig. 1",
             "SSTR-RADS scores can be dynamic: an avid thyroid nodule first 3C, then biopsied as "
             "adenoma, is re-scored 1B.",
             "Scoring reads only the evidence given; new evidence gives the new category."),
        Rule("T2-LEVEL", "Table 2",
             "Level 1 <= blood pool; level 2 > blood pool and <= liver; level 3 > liver.",
             "SUVmax is compared with the SUVmean of blood pool and liver with exactly these "
             "inequalities. SUVs place a focus at level 1-3 only: level 0 (no uptake above "
             "background, needed for 3D) is the reader's call."),
        Rule("DISC-OVERALL", "Discussion; Fig. 10",
             "The highest SSTR-RADS lesion designates the overall PET score and may overrule "
             "lower lesions; 3A/3B findings can be waived when the others are 4 or 5.",
             "Overall = highest lesion category; 3A/3B lesions are marked waived under an overall "
             "4 or 5 and then carry no next step or follow-up interval of their own."),
        Rule("DISC-3C3D", "Discussion",
             "SSTR-RADS-3C and -3D are very important categories: 3C may trigger immediate "
             "work-up; in 3D further work-up is also required.",
             "Every 3C and 3D lesion is listed in the conclusion whatever the overall score."),
        Rule("DISC-REPRESENTATIVE", "Discussion",
             "If >5 positive lesions are detected, a dominant, representative lesion per system "
             "should be chosen (the largest or hottest lesion).",
             "With more than 5 positive lesions (3A, 3B, 3C, 4, 5) every lesion is still scored "
             "and one lesion per organ system is marked representative: highest uptake level, "
             "then SUVmax, then largest diameter.", "SSTR_REPRESENTATIVE_ABOVE"),
        Rule("DISC-LESION-DATA", "Discussion",
             "All sites should be classified along with an anatomical description, maximum "
             "diameter for measurable lesions, and mean/maximum SUV; an overall SSTR-RADS of 3 "
             "without an anatomical description is insufficient.",
             "A lesion without an anatomic description is rejected; a missing SUVmax (for a "
             "lesion with uptake) or maximum diameter (for a lesion with an anatomic finding) "
             "is noted on the lesion."),
        Rule("PRRT-5", "Table 1, row 5, PRRT column; Discussion; Fig. 9",
             "PRRT definitely to be considered.", "Overall 5: PRRT definitely to be considered."),
        Rule("PRRT-4", "Table 1, row 4, PRRT column and footnote 4; Discussion",
             "PRRT to be considered (SSTR-avid lesion in a typical distribution).",
             "Overall 4: PRRT to be considered."),
        Rule("PRRT-3D-SINGLE", "Table 1, footnote 3; SSTR-RADS-3D section; Discussion",
             "A single dedifferentiated lesion with otherwise SSTR-expressing disease: combined "
             "PRRT and a locoregional procedure could be considered.",
             "Fewer than 'several' 3D lesions (normally exactly one) and at least one 4/5 "
             "lesion: combined PRRT + locoregional procedure may be considered."),
        Rule("PRRT-3D-SEVERAL", "Discussion",
             "A high tumor burden with several dedifferentiated lesions rules out PRRT.",
             "Several 3D lesions: PRRT ruled out."),
        Rule("PRRT-3B-SINGLE", "Table 1, row 3B, PRRT column; SSTR-RADS-3 section",
             "Single lesions: locoregional procedure (or follow-up).",
             "Fewer than 'several' 3B lesions (normally exactly one) and no 4/5: locoregional "
             "procedure."),
        Rule("PRRT-3B-SEVERAL", "Table 1, row 3B, PRRT column; SSTR-RADS-3 section",
             "Increased number of (growing, SSTR-expressing) lesions: PRRT.",
             "Several 3B lesions and no 4/5: PRRT may be considered; tumour board triggered."),
        Rule("PRRT-NONE", "Table 1, PRRT column rows 1A-3D",
             "Not to be considered.", "Otherwise PRRT is not considered."),
        Rule("PRRT-CAVEAT", "Table 1, footnote 2",
             "Inclusion and exclusion criteria according to the Joint IAEA, EANM and SNMMI "
             "Practical Guidance and the ENETS Consensus Guidelines still apply.",
             "The caveat travels with every PRRT recommendation."),
        Rule("FU-3-6", "SSTR-RADS-3 section",
             "We would recommend f/u imaging after 3-6 months ... in case of an increased "
             "proliferation index, f/u imaging after 3 months would be preferred.",
             "3A/3B: follow-up SSTR-PET or whole-body MRI after 3-6 months, after 3 months when "
             "Ki-67/grade is raised."),
        Rule("WU-3A", "Table 1, row 3A", "Biopsy or initial f/u imaging might confirm diagnosis.",
             "3A: biopsy if sampling is possible, or follow-up imaging."),
        Rule("WU-3C", "Table 1, row 3C; SSTR-RADS-3C section",
             "Tissue confirmation of tumor histology should be considered.",
             "3C: tissue confirmation should be considered."),
        Rule("WU-3D", "Table 1, row 3D; SSTR-RADS-3D section",
             "18F-FDG PET might be of value; tissue confirmation of tumor histology should be "
             "considered.", "3D: 18F-FDG PET and biopsy should be considered."),
        Rule("WU-4", "SSTR-RADS-4 section",
             "Further confirmation by biopsy is generally not necessary.",
             "4: no biopsy needed unless tissue gives prognostic information."),
        Rule("WU-5", "SSTR-RADS-5 section", "Biopsy is unlikely to be of value.",
             "5: biopsy unlikely to be of value."),
        Rule("SUPP-T1", "Supplementary Table 1; Discussion",
             "Minimum required data in a clinical report.",
             "Every item not supplied is listed as missing minimum data; laboratory results are "
             "asked for only 'if available', so they are never listed as missing."),
    )
}

AMBIGUITIES: Final[dict[str, Rule]] = {
    a.code: a
    for a in (
        Rule("AMB-BENIGN-LEVEL-1", "Table 1, rows 1A/1B",
             "Table 1 gives uptake level 1 for 1A, while the text describes 1A as 'without any "
             "abnormal uptake' and 1B as benign with discernible uptake.",
             "A known-benign finding with level 1 uptake is 1A (Table 1's level column)."),
        Rule("AMB-ATYPICAL-LEVEL-2", "Table 1, rows 2 and 3C",
             "Row 2 covers level 1 in atypical soft-tissue sites, row 3C level 3; level 2 is not "
             "assigned.",
             "Level 2 uptake in an atypical or highly atypical soft-tissue site is 3C, the "
             "category that asks for work-up."),
        Rule("AMB-HIGHLY-ATYPICAL-LEVEL-1", "Table 1, rows 2 and 3C",
             "Row 2 names 'soft-tissue site atypical of metastatic NET'; a highly atypical site "
             "with level 1 uptake is not named.",
             "Level 1 uptake in a highly atypical site is 2 (row 2, a fortiori)."),
        Rule("AMB-DEGENERATIVE-BONE-ABOVE-BLOOD-POOL", "Table 1, row 2; Fig. 3; Fig. 10",
             "Row 2 covers equivocal (level 1) uptake in bone lesions atypical for NET; level 2-3 "
             "uptake in a bone lesion of degenerative appearance is not assigned.",
             "Scored 3B (bone lesion asking for follow-up imaging); the reader should confirm the "
             "site class."),
        Rule("AMB-SUSPICIOUS-LOW-UPTAKE", "Table 1, rows 3A/3B/3D",
             "3D is defined by no SSTR uptake; rows 3A/3B include level 1 uptake.",
             "A highly suspicious anatomic finding with level 1 uptake keeps 3A/3B (both ask for "
             "work-up) and is flagged for consideration as 3D; where its row would be 2 (atypical "
             "sites) it is scored 3D, because 'likely benign' would contradict the finding."),
        Rule("AMB-NO-UPTAKE-CORRESPONDING", "Table 1, row 3D; Fig. 7",
             "3D: anatomic imaging highly suggestive of malignancy but no SSTR uptake. A "
             "corresponding (not highly suspicious) anatomic finding without uptake is not "
             "assigned.",
             "Scored 3D (asks for 18F-FDG PET / tissue confirmation)."),
        Rule("AMB-NO-UPTAKE-NON-SUSPICIOUS", "Table 1",
             "A non-avid finding with a non-suspicious anatomic correlate that is not known "
             "benign is not assigned.",
             "Scored 2 (likely benign, no PRRT)."),
        Rule("AMB-PROGRESSION-OTHER", "SSTR-RADS-3 section",
             "The upgrade on progression is defined for 3A/3B lesions only.",
             "Progression of a lesion in another category keeps the category and is flagged "
             "for the reader."),
        Rule("AMB-3-ORDER", "Discussion",
             "The highest lesion designates the overall score; the order of 3A-3D is not given.",
             "3A < 3B < 3C < 3D (3D: high likelihood of malignancy); all 3C/3D are listed anyway."),
        Rule("AMB-SEVERAL", "Table 1, row 3B; Discussion",
             "'Increased number of lesions' / 'several dedifferentiated lesions' are not "
             "quantified.",
             "'Several' means at least SSTR_SEVERAL_LESIONS lesions (default 2); a count "
             "between one and 'several' follows the single-lesion branch and names this policy.",
             "SSTR_SEVERAL_LESIONS"),
        Rule("AMB-KI67-RAISED", "SSTR-RADS-3 section",
             "In case of an increased proliferation index, f/u imaging after 3 months would be "
             "preferred; 'increased' is not quantified.",
             "Raised means grade G2/G3 or Ki-67 >= SSTR_KI67_RAISED_PERCENT (default 3 %, the "
             "WHO G1/G2 boundary); named in the report whenever it set a 3A/3B interval.",
             "SSTR_KI67_RAISED_PERCENT"),
        Rule("AMB-REPRESENTATIVE", "Discussion",
             "'The largest or hottest lesion' per 'system'; the order of the two criteria and "
             "what a system is are not given.",
             "Hottest first (uptake level, then SUVmax), then largest; the system is the "
             "lesion's organ system as given (case-insensitive; a code, label or alias of the "
             "organ-system table is that system), else bone for bone site classes, else the "
             "system of the bodySite's SNOMED CT code in adapter/domain/organ_systems.toml "
             "(liver segments: liver, nodal stations: lymph nodes, vertebrae and ribs: bone). "
             "Every lesion stays scored.",
             "SSTR_REPRESENTATIVE_ABOVE"),
        Rule("AMB-ORGAN-SYSTEM-UNMAPPED", "Discussion",
             "'A dominant, representative lesion per system'; the systems are not listed.",
             "A lesion without an organ system whose bodySite code is not in the organ-system "
             "table is grouped by that code (or its site text): conservative, since it can "
             "only add representatives, never hide a system; named when the rule applies."),
        Rule("AMB-NEW-LESION", "SSTR-RADS-3 section",
             "'Any progression of the lesions' upgrades 3A/3B; a lesion new since the prior "
             "study is not mentioned.",
             "A new 3A/3B lesion keeps its Table 1 category and is flagged; only a lesion "
             "reported as progressed is upgraded."),
        Rule("AMB-PROGRESSION-UPGRADE", "SSTR-RADS-3 section",
             "Any progression of the lesions would lead to an upgrade to either SSTR-RADS-4 or "
             "SSTR-RADS-5; which of the two is not said.",
             "Upgraded as Table 1 rows 4/5 separate level-3 lesions: to 5 with a corresponding "
             "or highly suspicious anatomic correlate, to 4 without; named on the lesion."),
        Rule("AMB-PROLIFERATION-UNKNOWN", "SSTR-RADS-3 section",
             "Follow-up after 3 months when the proliferation index is increased; 3-6 months "
             "otherwise.",
             "With neither grade nor Ki-67 given, the shorter interval (3 months) is used."),
        Rule("AMB-FU-INTERVAL", "Table 1, rows 3A/3B; Fig. 4; SSTR-RADS-3 section",
             "Table 1 and Fig. 4 give follow-up after 3 months; the text 3-6 months.",
             "3-6 months (text) unless proliferation is raised or unknown; the report names "
             "both."),
        Rule("AMB-3D-AND-45", "Discussion; Table 1 footnote 3",
             "Several dedifferentiated lesions rule out PRRT; overall 4/5 says PRRT should be "
             "considered.",
             "Several 3D lesions rule PRRT out even under an overall 4/5; the tumour board is "
             "still triggered and carries 'ruled out'."),
        Rule("AMB-SUV-READER-DISAGREE", "Table 2",
             "The level is a qualitative reading; SUVs are supporting data.",
             "When both are given the reader's level wins and the discrepancy is reported; when "
             "the SUVs give another category, or the two are more than one level apart or on "
             "two sides of level 3, the conclusion names the lesion with the category the SUVs "
             "give and asks to confirm the level."),
    )
}
