// Extensions on the SSTR-PET ImagingStudy (acquisition items of Supplementary Table 1)
// and on Observation components (how a measurement was derived, DICOM SR style).

Extension: Radiopharmaceutical
Id: radiopharmaceutical
Title: "Radiopharmaceutical"
Description: "The SSTR-PET radiopharmaceutical of the study: a code of DICOM CID 4021 or of the project's extension of it (extensible binding); another code only with a text or display naming the tracer."
Context: ImagingStudy
* value[x] 1..1
* value[x] only CodeableConcept
* valueCodeableConcept from SstrRadiopharmaceuticalVS (extensible)

Extension: InjectedActivity
Id: injected-activity
Title: "Injected activity"
Description: "Injected activity of the radiopharmaceutical, in MBq."
Context: ImagingStudy
* value[x] 1..1
* value[x] only Quantity
* valueQuantity = $UCUM#MBq
* valueQuantity.value 1..1

Extension: UptakeTime
Id: uptake-time
Title: "Uptake time"
Description: "Time from injection to the start of the acquisition, in minutes."
Context: ImagingStudy
* value[x] 1..1
* value[x] only Quantity
* valueQuantity = $UCUM#min
* valueQuantity.value 1..1

Extension: FieldOfView
Id: field-of-view
Title: "Field of view"
Description: "Field of view of the acquisition as the reader states it, e.g. 'skull base to mid-thigh'."
Context: ImagingStudy
* value[x] 1..1
* value[x] only string

Extension: MeasurementDerivation
Id: measurement-derivation
Title: "Measurement derivation"
Description: "How a measurement was derived from the image values (DICOM SR concept modifier 121401 'Derivation'), e.g. SNOMED CT 56851009 'Maximum' for SUVmax, 255586005 'Mean' for SUVmean."
Context: Observation.component, Observation
* value[x] 1..1
* value[x] only CodeableConcept

Extension: NextStepRequest
Id: next-step-request
Title: "Next-step request"
Description: "The ServiceRequest (intent proposal) that makes a next step of the assessment machine-readable. R4 has no element for a report's or an observation's follow-on request."
Context: Observation.component, Observation, DiagnosticReport
* value[x] 1..1
* value[x] only Reference(ServiceRequest)
