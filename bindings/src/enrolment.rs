//! Enrolling from the supervisor's QR code: the apps' scanners hand over the
//! text they read, the core says whether it is an enrolment code and enrols
//! with it (its certificate pinned by fingerprint). Typing the code stays
//! [`crate::enrol_device`].

use crate::guard::guarded;
use crate::{EnrolledDevice, NightroundError};
use nightround_core::sync::EnrolmentLink;

/// Reads a scanned enrolment QR code; `Invalid(NotAnEnrolmentCode)` for
/// anything else, so the scanner keeps looking or she types the code.
#[uniffi::export]
pub fn parse_enrolment_link(text: String) -> Result<EnrolmentLink, NightroundError> {
    guarded(|| nightround_core::sync::parse_enrolment_link(&text))
}

/// Enrols with a scanned code: the certificate it names is fetched, checked
/// against the fingerprint and pinned. Call before creating the vault, as
/// [`crate::enrol_device`].
#[uniffi::export]
pub fn enrol_from_link(
    link: EnrolmentLink,
    device_name: String,
) -> Result<EnrolledDevice, NightroundError> {
    guarded(|| {
        nightround_core::sync::enrol_with_link(&link, device_name.trim()).map(
            |(enrolment, identity)| EnrolledDevice {
                enrolment,
                identity,
            },
        )
    })
}
