// FHIRPath invariants. Checked by @medplum/core (tools/validate.mjs) and by
// adapter/fhir/bindings.py (fhirpathpy, R4 model), so they use only FHIRPath both evaluate.

Invariant: sstr-bdl-1
Description: "A findings message is a message Bundle whose first entry is a MessageHeader with event sstr-pet-findings, or a collection Bundle."
Severity: #error
Expression: "(type = 'message' or type = 'collection') and (type = 'message' implies (entry.first().resource.is(MessageHeader) and entry.first().resource.event.ofType(Coding).where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-message-event' and code = 'sstr-pet-findings').exists()))"

Invariant: sstr-bdl-2
Description: "The findings message carries exactly one ImagingStudy."
Severity: #error
Expression: "entry.resource.ofType(ImagingStudy).count() = 1"

Invariant: sstr-bdl-3
Description: "The findings message carries at least one lesion finding Observation."
Severity: #error
Expression: "entry.resource.ofType(Observation).where(code.coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-observation-code' and code = 'lesion-finding').exists()).exists()"

Invariant: sstr-bdl-4
Description: "A report message starts with a MessageHeader with event sstr-rads-report and a response to the findings message."
Severity: #error
Expression: "entry.first().resource.is(MessageHeader) and entry.first().resource.event.ofType(Coding).where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-message-event' and code = 'sstr-rads-report').exists() and entry.first().resource.response.exists()"

Invariant: sstr-bdl-5
Description: "The report message carries exactly one DiagnosticReport."
Severity: #error
Expression: "entry.resource.ofType(DiagnosticReport).count() = 1"

Invariant: sstr-bdl-6
Description: "A tumour-board message starts with a MessageHeader with event prrt-tumour-board-review and carries exactly one Task."
Severity: #error
Expression: "entry.first().resource.is(MessageHeader) and entry.first().resource.event.ofType(Coding).where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-message-event' and code = 'prrt-tumour-board-review').exists() and entry.resource.ofType(Task).count() = 1"

Invariant: sstr-img-1
Description: "The study's modalities include DICOM PT and CT."
Severity: #error
Expression: "modality.where(system = 'http://dicom.nema.org/resources/ontology/DCM' and code = 'PT').exists() and modality.where(system = 'http://dicom.nema.org/resources/ontology/DCM' and code = 'CT').exists()"

Invariant: sstr-img-2
Description: "The Study Instance UID identifier is written urn:oid:<uid>."
Severity: #error
Expression: "identifier.where(system = 'urn:dicom:uid').all(value.startsWith('urn:oid:'))"

Invariant: sstr-les-1
Description: "A lesion finding has an uptake level or an SUVmax (or both)."
Severity: #error
Expression: "component.where(code.coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-observation-code' and code = 'uptake-level').exists() or code.coding.where(system = 'http://dicom.nema.org/resources/ontology/DCM' and code = '126401').exists()).exists()"

Invariant: sstr-les-2
Description: "The lesion's body site has a human-readable description (text or a coding display)."
Severity: #error
Expression: "bodySite.text.exists() or bodySite.coding.display.exists()"

Invariant: sstr-les-3
Description: "An uptake level is an integer from 0 to 3 (SSTR-RADS Table 2)."
Severity: #error
Expression: "component.where(code.coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-observation-code' and code = 'uptake-level').exists()).all(value.ofType(integer).exists() and value.ofType(integer) >= 0 and value.ofType(integer) <= 3)"

Invariant: sstr-asm-1
Description: "Ambiguity components carry AMB- policy codes of the sstr-rule CodeSystem."
Severity: #error
Expression: "component.where(code.coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-observation-code' and code = 'ambiguity').exists()).all(value.ofType(CodeableConcept).coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-rule').exists() and value.ofType(CodeableConcept).coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-rule').all(code.startsWith('AMB-')))"

Invariant: sstr-dr-1
Description: "The report has an HTML presented form."
Severity: #error
Expression: "presentedForm.where(contentType.startsWith('text/html')).exists()"

Invariant: sstr-prv-1
Description: "The provenance names the input message as its source entity."
Severity: #error
Expression: "entity.where(role = 'source').exists()"

Invariant: sstr-les-4
Description: "SUVs are in UCUM g/ml{SUVbw} and the lesion size in UCUM mm."
Severity: #error
Expression: "component.where(code.coding.where(system = 'http://dicom.nema.org/resources/ontology/DCM' and code = '126401').exists()).all(value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and code = 'g/ml{SUVbw}').exists()) and component.where(code.coding.where(system = 'https://fhir.sstr-adapter.org/CodeSystem/sstr-observation-code' and code = 'lesion-size').exists()).all(value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and code = 'mm').exists())"

Invariant: sstr-ref-1
Description: "Reference SUVmeans are in UCUM g/ml{SUVbw}."
Severity: #error
Expression: "component.all(value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and code = 'g/ml{SUVbw}').exists())"

// Stated as an invariant rather than as the cardinality of the suvMax slice's extension slice:
// @medplum/core applies a slice's nested slices to every component, so 1..1 there would
// reject lesions without SUVmax.
Invariant: sstr-les-5
Description: "An SUVbw component says what it measures: it carries the measurement-derivation extension SNOMED CT 56851009 'Maximum' (SUVmax, read by the rules) or 255586005 'Mean' (SUVmean, shown in the report only)."
Severity: #error
Expression: "component.where(code.coding.where(system = 'http://dicom.nema.org/resources/ontology/DCM' and code = '126401').exists()).all(extension.where(url = 'https://fhir.sstr-adapter.org/StructureDefinition/measurement-derivation').value.ofType(CodeableConcept).coding.where(system = 'http://snomed.info/sct' and (code = '56851009' or code = '255586005')).exists())"

Invariant: sstr-bdl-7
Description: "The tumour-board message carries exactly one tumour-board ServiceRequest and one Provenance."
Severity: #error
Expression: "entry.resource.ofType(ServiceRequest).count() = 1 and entry.resource.ofType(Provenance).count() = 1"
