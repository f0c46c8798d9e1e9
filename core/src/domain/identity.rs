//! Who is recording: the worker this phone is enrolled for.

use serde::{Deserialize, Serialize};

/// A worker's role decides what she may record and see (the information
/// sharing agreement), on the phone and on the server alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OutreachWorker,
    PoliceOfficer,
    Supervisor,
    ReceivingAgency,
}

impl Role {
    pub const fn label(self) -> &'static str {
        match self {
            Role::OutreachWorker => "outreach worker",
            Role::PoliceOfficer => "police officer",
            Role::Supervisor => "supervisor",
            Role::ReceivingAgency => "receiving agency",
        }
    }
}

/// The worker behind every record made on this phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct WorkerIdentity {
    pub worker_id: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: String,
}
