//! The records an evening round produces, and the rules they must keep.
//!
//! Each record type lives in its own file with its draft (what a screen
//! fills in) and its validation. Records are plain data: the vault seals
//! them, sync carries them, and the apps render them.

pub mod agreement;
pub mod categories;
pub mod concern;
pub mod consent;
pub mod contact;
pub mod directory;
pub mod identity;
pub mod kind;
pub mod person;
mod record_checks;
pub mod referral;
pub mod round;
pub mod supplies;
pub mod validation;

pub use agreement::{
    AgreementError, OrganisationKind, RetentionPeriod, RetentionSchedule, SharingAgreement,
};
pub use categories::{category_of, project, FieldClass, FieldEntry};
pub use concern::{Concern, ConcernCategory, ConcernDraft, Severity, Vehicle};
pub use consent::{
    Consent, ConsentDraft, ConsentMethod, ConsentState, InfoCategory, InfoCategoryText,
};
pub use contact::{Contact, ContactDraft, ContactKind, Safeguarding, WellbeingFlag};
pub use directory::{Agency, Area, Directory, ResponseTimes, SupplyItem};
pub use identity::{Role, WorkerIdentity};
pub use kind::RecordKind;
pub use person::{Person, PersonDraft};
pub use referral::{Referral, ReferralDraft, ReferralForm, ReferralStatus, StatusChange, Urgency};
pub use round::{
    CheckIn, CheckInKind, MissedReason, Round, RoundDraft, RoundWatch, TeamMember, WatchState,
};
pub use supplies::{SupplyDrop, SupplyDropDraft, SupplyLine, SupplyPurpose, SupplyTotal};
pub use validation::{max_clock_skew, TextField, ValidationError, MAX_CLOCK_SKEW_MS};
