//! Why the server refused one pushed change: a typed code for the phone
//! (`RejectCode`, on the wire in the ack) and a reason in words that names
//! the rule, never a value from the body (`docs/sync-protocol.md`,
//! "Refusal reasons").

use nightround_core::domain::ValidationError;
pub use nightround_core::sync::protocol::RejectCode;

/// One refusal: what the ack carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RejectCode,
    pub reason: String,
}

impl Refusal {
    /// A refusal with its code and reason.
    pub fn new(code: RejectCode, reason: impl Into<String>) -> Self {
        Refusal {
            code,
            reason: reason.into(),
        }
    }
}

impl From<ValidationError> for Refusal {
    /// The phone's own validation message: built from the field and the
    /// bound, never from the value.
    fn from(e: ValidationError) -> Self {
        Refusal::new(RejectCode::Invalid, e.to_string())
    }
}
