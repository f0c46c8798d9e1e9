//! The sync protocol's wire types, version 2, shared by the phone's client and
//! the server so that the two cannot drift. The protocol is described for
//! people in `docs/sync-protocol.md`; change both together, and bump
//! [`PROTOCOL_VERSION`] for anything an older peer would misread.

use crate::domain::{Directory, RecordKind, TeamMember, WorkerIdentity};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The protocol version this code speaks. Version 2 (ADR 0009) added
/// retraction, base versions for merges and pulls that leave out the
/// device's own changes; a server refuses version 1 with
/// `unsupported_protocol` so an old app asks to be updated.
pub const PROTOCOL_VERSION: u32 = 2;
/// The most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 200;
/// The most changes one pull page returns.
pub const MAX_PULL_CHANGES: usize = 500;
/// The largest record body accepted, in bytes of JSON.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest request body the server reads, in bytes.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Trades a one-time enrolment code for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub protocol: u32,
    pub code: String,
    /// A label the supervisor sees ("Sam's work phone").
    pub device_name: String,
}

/// What a newly enrolled device receives. The token is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub device_id: Uuid,
    /// 256 random bits, base64url; the server keeps only its hash.
    pub token: String,
    pub identity: WorkerIdentity,
    /// Days a device may go without syncing before it locks itself.
    pub lease_days: u32,
    pub server_time: Timestamp,
    /// The server's X25519 public key (base64): the phone seals a copy of
    /// each unsent change to it, deliverable after a shred (ADR 0003).
    #[serde(default)]
    pub server_sealing_key: Option<String>,
}

/// One unsent change, sealed to the server's public key by a phone that can
/// no longer read it. The kind, id and version are the associated data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedEntry {
    pub kind: RecordKind,
    pub id: Uuid,
    pub version: String,
    /// The sealed box, base64.
    pub sealed: String,
}

/// `POST /v1/deliver-sealed`: sealed changes from a shredded vault, and
/// whether the duress PIN was used (the server tells supervisors quietly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedDelivery {
    pub protocol: u32,
    pub duress: bool,
    pub entries: Vec<SealedEntry>,
    /// The vault was shredded (too many wrong PINs) and this is its last
    /// word: the server revokes the device once the entries are applied.
    #[serde(default)]
    pub shredded: bool,
}

/// One record version on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub kind: RecordKind,
    pub id: Uuid,
    /// The record version from the author's hybrid logical clock.
    pub version: String,
    pub tombstone: bool,
    /// The record as JSON; `None` for a tombstone.
    pub body: Option<serde_json::Value>,
    /// For an edit of a mutable kind (person, consent, referral, round):
    /// the version the edit started from, so the server's per-field merge
    /// can tell a field the phone left alone from one it changed. `None`
    /// for a new record, an immutable kind or a tombstone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<String>,
    /// With `base_version`: the top-level fields this edit changed from the
    /// base. A field changed on the server after the base and not named
    /// here keeps the server's value (docs/sync-protocol.md, "Conflicts").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<Vec<String>>,
}

impl Change {
    /// A change with no base (a new record, an immutable kind, a tombstone).
    pub fn new(
        kind: RecordKind,
        id: Uuid,
        version: String,
        tombstone: bool,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self {
            kind,
            id,
            version,
            tombstone,
            body,
            base_version: None,
            edited: None,
        }
    }
}

/// A batch of local changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub protocol: u32,
    /// Lets the server log a replayed batch as one.
    pub batch_id: Uuid,
    pub changes: Vec<Change>,
}

/// What the server did with one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Stored as sent.
    Applied,
    /// Already stored (a replay); nothing changed.
    Duplicate,
    /// Stored, merged per field with a concurrent version.
    Merged,
    /// Refused for good; the reason says why. The phone quarantines it.
    Rejected,
}

/// The server's answer for one change. A change leaves the phone's outbox
/// only on an ack other than `Rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub id: Uuid,
    pub version: String,
    pub status: AckStatus,
    pub reason: Option<String>,
    /// Why a `Rejected` change was refused, as a code the phone can act on;
    /// absent on every other ack and from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<RejectCode>,
}

/// Why the server refused one change (`docs/sync-protocol.md`, "Refusal
/// reasons"). The ack's `reason` says the same in words, never quoting the
/// body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The change is not well formed: a version that is not a canonical
    /// hybrid-logical-clock version, a body that does not parse as its kind,
    /// an id that is not the body's, a body over the size limit.
    Malformed,
    /// The version's physical time is more than [`crate::domain::MAX_CLOCK_SKEW_MS`]
    /// ahead of the server's clock: the phone's clock is wrong.
    ClockAhead,
    /// The record fails the core's own validation (the phone's rules).
    Invalid,
    /// The role may not write this kind of record, or make this change.
    Forbidden,
    /// The record belongs to another worker.
    NotOwner,
    /// The record belongs to another organisation.
    NotOwnOrganisation,
    /// A consent or referral for a woman whose record this organisation
    /// does not hold, or a record naming a woman the writer may not see.
    NotHoldingOrganisation,
    /// A record it names (her person record, the round of a check-in) is
    /// not stored, or not the writer's.
    UnknownRelation,
    /// The id belongs to a record of another kind.
    KindMismatch,
    /// The worker identity in the body is not the device's (or, on an edit,
    /// not the one stored).
    IdentityMismatch,
    /// A referral's status history was rewritten, back-dated or extended by
    /// more than the one status move.
    HistoryNotAppendOnly,
    /// A field only the server writes (a round's watch).
    ServerOwnedField,
}

impl RejectCode {
    /// The code as it is written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectCode::Malformed => "malformed",
            RejectCode::ClockAhead => "clock_ahead",
            RejectCode::Invalid => "invalid",
            RejectCode::Forbidden => "forbidden",
            RejectCode::NotOwner => "not_owner",
            RejectCode::NotOwnOrganisation => "not_own_organisation",
            RejectCode::NotHoldingOrganisation => "not_holding_organisation",
            RejectCode::UnknownRelation => "unknown_relation",
            RejectCode::KindMismatch => "kind_mismatch",
            RejectCode::IdentityMismatch => "identity_mismatch",
            RejectCode::HistoryNotAppendOnly => "history_not_append_only",
            RejectCode::ServerOwnedField => "server_owned_field",
        }
    }

    /// Every code, for the document test.
    pub const ALL: [RejectCode; 12] = [
        RejectCode::Malformed,
        RejectCode::ClockAhead,
        RejectCode::Invalid,
        RejectCode::Forbidden,
        RejectCode::NotOwner,
        RejectCode::NotOwnOrganisation,
        RejectCode::NotHoldingOrganisation,
        RejectCode::UnknownRelation,
        RejectCode::KindMismatch,
        RejectCode::IdentityMismatch,
        RejectCode::HistoryNotAppendOnly,
        RejectCode::ServerOwnedField,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub acks: Vec<Ack>,
    pub server_time: Timestamp,
}

/// A change as pulled, with its place in the server's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledChange {
    pub seq: u64,
    #[serde(flatten)]
    pub change: Change,
}

/// One page of what changed since a cursor, filtered to what this device may
/// see. `directory` is present when the server's is newer than the phone's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<PulledChange>,
    pub next_cursor: u64,
    pub more: bool,
    pub directory: Option<Directory>,
    pub server_time: Timestamp,
    /// Who is on the device's team (possible buddies for a round), sent on
    /// the last page of a pull. Older servers leave it out.
    #[serde(default)]
    pub team: Option<Vec<TeamMember>>,
    /// Records (or fields of records) this device received before and may
    /// no longer hold: consent withdrawn or expired, an alert ended, a
    /// record deleted. The phone purges them in the page's transaction.
    #[serde(default)]
    pub retract: Vec<Retraction>,
}

/// One record, or some of its fields, that a device must drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retraction {
    pub kind: RecordKind,
    pub id: Uuid,
    /// `None`: the whole record (body, history, index rows). `Some`: only
    /// these top-level fields (the projection she allows shrank).
    pub fields: Option<Vec<String>>,
}

/// The longest a `GET /v1/live` waits before answering with nothing.
pub const MAX_LIVE_WAIT_SECS: u64 = 25;

/// One urgent record stored after the phone's cursor: a help call, a missed
/// round, a team alert. The phone pulls to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveItem {
    pub seq: u64,
    pub kind: RecordKind,
    pub id: Uuid,
}

/// `GET /v1/live?after=SEQ&wait=SECS`: answered as soon as something urgent
/// that this device may see is stored after `after`, or empty after `wait`
/// seconds (at most [`MAX_LIVE_WAIT_SECS`]). Beside the ordinary sync, not
/// instead of it: it carries no bodies (ADR 0004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveResponse {
    pub urgent: Vec<LiveItem>,
    pub server_time: Timestamp,
}

/// Why a request was refused, as a code a client acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON of the expected shape.
    Malformed,
    /// The body or a record in it is over the limit.
    TooLarge,
    /// The client speaks another protocol version.
    UnsupportedProtocol,
    /// No token, or a token the server does not know.
    Unauthorized,
    /// The device or its worker was revoked: the phone must shred its vault.
    Revoked,
    /// The enrolment code is unknown, used or expired.
    EnrolmentInvalid,
    /// The role may not do this.
    Forbidden,
    /// Too many requests; retry later.
    RateLimited,
    /// The server is busy (too much at once); retry after `Retry-After`.
    Busy,
    /// The server failed; retry later.
    Internal,
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
}
