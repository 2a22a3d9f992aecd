// External terminologies (same URLs as adapter/fhir/codes.py)
Alias: $LNC = http://loinc.org
Alias: $SCT = http://snomed.info/sct
Alias: $DCM = http://dicom.nema.org/resources/ontology/DCM
Alias: $UCUM = http://unitsofmeasure.org
Alias: $UMLS = http://www.nlm.nih.gov/research/umls
Alias: $NCIT = http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl
Alias: $V2-0074 = http://terminology.hl7.org/CodeSystem/v2-0074
Alias: $OBSCAT = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $BUNDLETYPE = http://hl7.org/fhir/bundle-type
