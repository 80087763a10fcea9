"""De-identification: the basic confidentiality profile, the cleaned Series Description and the
keyed series fingerprint (internal to `vbq.imaging`)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from typing import Any

from pydicom.datadict import dictionary_VR

from .._userdata import installation_secret
from ..errors import InputError
from ._elements import _element_bytes, _tag

# PS3.15 (2024b) Annex E, Table E.1-1: attributes of the Basic Application Level Confidentiality
# Profile (every action: D, Z, X, U and their combinations), by pydicom keyword. Private
# attributes (odd groups) and the overlay groups (60xx: Overlay Data, Overlay Comments) are
# removed by the profile too; pydicom has no single keyword for a repeating group.
# vbq.imaging keeps none of them: it copies an allow-list of technical attributes out of each
# file and drops the dataset. Two exceptions, both documented in docs/methods.md: Series
# Description is retained, cleaned of the file's own identifying values (the profile's "Clean
# Descriptors Option", PS3.15 E.3.5), and the Study/Series Instance UIDs enter a one-way
# fingerprint keyed with this installation's secret (HMAC-SHA-256; in the spirit of action U:
# a consistent replacement, never the UID).
BASIC_PROFILE: tuple[str, ...] = (
    "AccessionNumber", "AcquisitionComments", "AcquisitionContextSequence", "AcquisitionDate",
    "AcquisitionDateTime", "AcquisitionDeviceProcessingDescription",
    "AcquisitionProtocolDescription", "AcquisitionTime", "ActualHumanPerformersSequence",
    "AdditionalPatientHistory", "AdmissionID", "AdmittingDate",
    "AdmittingDiagnosesCodeSequence", "AdmittingDiagnosesDescription", "AdmittingTime",
    "AffectedSOPInstanceUID", "Allergies", "Arbitrary", "AuthorObserverSequence",
    "BranchOfService", "CassetteID", "CommentsOnThePerformedProcedureStep", "ConcatenationUID",
    "ConfidentialityConstraintOnPatientDataDescription", "ConsultingPhysicianName",
    "ContentCreatorIdentificationCodeSequence", "ContentCreatorName", "ContentDate",
    "ContentSequence", "ContentTime", "ContextGroupExtensionCreatorUID", "ContrastBolusAgent",
    "ContributionDescription", "CountryOfResidence", "CurrentPatientLocation",
    "CustodialOrganizationSequence", "DataSetTrailingPadding", "DerivationDescription",
    "DetectorID", "DeviceSerialNumber", "DeviceUID", "DigitalSignatureUID",
    "DigitalSignaturesSequence", "DimensionOrganizationUID", "DischargeDiagnosisDescription",
    "DistributionAddress", "DistributionName", "DoseReferenceUID", "EthnicGroup",
    "FailedSOPInstanceUIDList", "FiducialUID", "FillerOrderNumberImagingServiceRequest",
    "FrameComments", "FrameOfReferenceUID", "GantryID", "GeneratorID",
    "GraphicAnnotationSequence", "HumanPerformerName", "HumanPerformerOrganization",
    "IconImageSequence", "IdentifyingComments", "ImageComments", "ImagePresentationComments",
    "ImagingServiceRequestComments", "Impressions", "InstanceCreationDate",
    "InstanceCreationTime", "InstanceCreatorUID", "InstitutionAddress",
    "InstitutionCodeSequence", "InstitutionName", "InstitutionalDepartmentName",
    "InsurancePlanIdentification", "IntendedRecipientsOfResultsIdentificationSequence",
    "InterpretationApproverSequence", "InterpretationAuthor", "InterpretationDiagnosisDescription",
    "InterpretationIDIssuer", "InterpretationRecorder", "InterpretationText",
    "InterpretationTranscriber", "IrradiationEventUID", "IssuerOfAdmissionID",
    "IssuerOfPatientID", "IssuerOfServiceEpisodeID", "LargePaletteColorLookupTableUID",
    "LastMenstrualDate", "MAC", "MediaStorageSOPInstanceUID", "MedicalAlerts",
    "MedicalRecordLocator", "MilitaryRank", "ModifiedAttributesSequence",
    "ModifiedImageDescription", "ModifyingDeviceID", "NameOfPhysiciansReadingStudy",
    "NamesOfIntendedRecipientsOfResults", "Occupation", "OperatorIdentificationSequence",
    "OperatorsName", "OrderCallbackPhoneNumber", "OrderEnteredBy", "OrderEntererLocation",
    "OriginalAttributesSequence", "OtherPatientIDs", "OtherPatientIDsSequence",
    "OtherPatientNames", "PaletteColorLookupTableUID",
    "ParticipantSequence", "PatientAddress", "PatientAge", "PatientBirthDate",
    "PatientBirthName", "PatientBirthTime", "PatientComments", "PatientID",
    "PatientInstitutionResidence", "PatientInsurancePlanCodeSequence",
    "PatientMotherBirthName", "PatientName", "PatientPrimaryLanguageCodeSequence",
    "PatientPrimaryLanguageModifierCodeSequence", "PatientReligiousPreference", "PatientSex",
    "PatientSexNeutered", "PatientSize", "PatientState", "PatientTelecomInformation",
    "PatientTelephoneNumbers", "PatientTransportArrangements", "PatientWeight",
    "PerformedLocation", "PerformedProcedureStepDescription", "PerformedProcedureStepEndDate",
    "PerformedProcedureStepEndTime", "PerformedProcedureStepID",
    "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
    "PerformedStationAETitle", "PerformedStationGeographicLocationCodeSequence",
    "PerformedStationName", "PerformedStationNameCodeSequence",
    "PerformingPhysicianIdentificationSequence", "PerformingPhysicianName", "PersonAddress",
    "PersonIdentificationCodeSequence", "PersonName", "PersonTelephoneNumbers",
    "PhysicianApprovingInterpretation", "PhysiciansOfRecord",
    "PhysiciansOfRecordIdentificationSequence", "PhysiciansReadingStudyIdentificationSequence",
    "PlacerOrderNumberImagingServiceRequest", "PlateID", "PreMedication", "PregnancyStatus",
    "ProtocolName", "ReasonForStudy", "ReasonForTheImagingServiceRequest",
    "ReferencedDigitalSignatureSequence", "ReferencedFrameOfReferenceUID",
    "ReferencedImageSequence", "ReferencedPatientAliasSequence", "ReferencedPatientSequence",
    "ReferencedPerformedProcedureStepSequence", "ReferencedSOPInstanceMACSequence",
    "ReferencedSOPInstanceUID", "ReferencedSOPInstanceUIDInFile", "ReferencedStudySequence",
    "ReferringPhysicianAddress", "ReferringPhysicianIdentificationSequence",
    "ReferringPhysicianName", "ReferringPhysicianTelephoneNumbers", "RegionOfResidence",
    "RelatedFrameOfReferenceUID", "RequestAttributesSequence", "RequestedContrastAgent",
    "RequestedProcedureComments", "RequestedProcedureDescription", "RequestedProcedureID",
    "RequestedProcedureLocation", "RequestedSOPInstanceUID", "RequestingPhysician",
    "RequestingService", "ResponsibleOrganization", "ResponsiblePerson", "ResultsComments",
    "ResultsDistributionListSequence", "ResultsIDIssuer", "ReviewerName",
    "ScheduledHumanPerformersSequence", "ScheduledPatientInstitutionResidence",
    "ScheduledPerformingPhysicianIdentificationSequence", "ScheduledPerformingPhysicianName",
    "ScheduledProcedureStepDescription", "ScheduledProcedureStepEndDate",
    "ScheduledProcedureStepEndTime", "ScheduledProcedureStepLocation",
    "ScheduledProcedureStepStartDate", "ScheduledProcedureStepStartTime",
    "ScheduledStationAETitle", "ScheduledStationGeographicLocationCodeSequence",
    "ScheduledStationName", "ScheduledStationNameCodeSequence", "ScheduledStudyLocation",
    "ScheduledStudyLocationAETitle", "SeriesDate", "SeriesDescription", "SeriesInstanceUID",
    "SeriesTime", "ServiceEpisodeDescription", "ServiceEpisodeID", "SmokingStatus",
    "SOPInstanceUID", "SourceImageSequence", "SpecialNeeds", "StationName",
    "StorageMediaFileSetUID", "StudyComments", "StudyDate", "StudyDescription", "StudyID",
    "StudyIDIssuer", "StudyInstanceUID", "StudyTime", "SynchronizationFrameOfReferenceUID",
    "TemplateExtensionCreatorUID", "TemplateExtensionOrganizationUID", "TextComments",
    "TextString", "TimezoneOffsetFromUTC", "TopicAuthor", "TopicKeywords", "TopicSubject",
    "TopicTitle", "TransactionUID", "UID", "VerifyingObserverIdentificationCodeSequence",
    "VerifyingObserverName", "VerifyingObserverSequence", "VerifyingOrganization",
    "VisitComments",
)

# identifying values removed from the retained Series Description (Clean Descriptors Option)
_SCRUB_KEYWORDS = (
    "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthTime", "AccessionNumber",
    "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName", "StationName",
    "DeviceSerialNumber", "StudyID", "PatientAddress", "PatientTelephoneNumbers",
    "MedicalRecordLocator", "IssuerOfPatientID", "AdmissionID", "StudyDate", "SeriesDate",
    "AcquisitionDate", "ContentDate", "RequestedProcedureID", "PerformedProcedureStepID",
    "PatientAge", "CountryOfResidence", "RegionOfResidence", "MilitaryRank", "Occupation",
)
# words that label synthetic data (the phantom's Patient's Name); never scrubbed
_LABEL_WORDS = frozenset({"SYNTHETIC", "PHANTOM"})

_FINGERPRINT_DOMAIN = b"vbq-explorer series fingerprint v2 hmac-sha256\x00"


@functools.cache
def _pn_keywords() -> tuple[str, ...]:
    return tuple(kw for kw in BASIC_PROFILE if dictionary_VR(_tag(kw)) == "PN")


@functools.cache
def _scrub_tags() -> frozenset[int]:
    return frozenset(_tag(kw) for kw in (*_pn_keywords(), *_SCRUB_KEYWORDS))


def _identifying_tokens(ds: Any) -> set[str]:
    tokens: set[str] = set()
    for tag in ds.keys() & _scrub_tags():
        raw = _element_bytes(ds.get_item(tag))
        if not raw:
            continue
        for text in {raw.decode("latin-1"), raw.decode("utf-8", "ignore")}:
            for tok in re.split(r"[\^\\=,\s/]+", text):
                tok = tok.strip(" .\x00")
                if len(tok) >= 3 and tok.upper() not in _LABEL_WORDS:
                    tokens.add(tok)
    return tokens


def _clean_description(ds: Any) -> str:
    text = str(ds.get("SeriesDescription", "") or "").strip()
    return _scrub(text, ds) if text else ""


def _fingerprint_key() -> bytes:
    """This installation's secret (`vbq._userdata.installation_secret`), read once per load.

    Raises `InputError` when it can neither be read nor made (a read-only data folder), naming
    the two settings that fix it; never the folder's path (a server path is not shown)."""
    try:
        return installation_secret()
    except (OSError, ValueError) as exc:
        raise InputError("the installation's secret key, which keys the series fingerprint, "
                         "could not be read or made in VBQ Explorer's data folder "
                         f"({type(exc).__name__}): set VBQ_SECRET (64 hexadecimal digits) or "
                         "VBQ_DATA_DIR (a writable folder)") from None


def _fingerprint(key: bytes, study_uid: bytes, series_uid: bytes) -> str:
    """HMAC-SHA-256, keyed with `key`, of a domain string and the Study and Series Instance UIDs.

    The same series gives the same fingerprint on one installation (or on servers sharing its
    key, ``VBQ_SECRET``), so readings of a series can be found again; without the key, holding
    the UIDs (a PACS export) is not enough to recompute it and link a reading to the study
    (RFC 2104; an unkeyed hash of the UIDs could be recomputed by anyone who has them)."""
    message = (_FINGERPRINT_DOMAIN + study_uid.strip(b" \x00") + b"\x00"
               + series_uid.strip(b" \x00"))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _clean_text(ds: Any, keyword: str, limit: int = 64) -> str:
    """A free-text technical attribute (Manufacturer, Manufacturer's Model Name: LO, at most 64
    characters) as printable text cleaned of the file's identifying values, like the
    description; "" when absent."""
    text = str(ds.get(keyword, "") or "").strip()
    text = "".join(ch for ch in text if ch.isprintable())[:limit].strip()
    return _scrub(text, ds) if text else ""


def _scrub(text: str, ds: Any) -> str:
    for tok in sorted(_identifying_tokens(ds), key=len, reverse=True):
        text = re.sub(re.escape(tok), "[removed]", text, flags=re.IGNORECASE)
    return text
