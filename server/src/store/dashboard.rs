//! What the supervisor dashboard keeps and reads, behind its own trait so the
//! sync [`super::Store`] stays the phones' contract.
//!
//! - **Accounts**: a dashboard account belongs to a worker (her role and
//!   organisation decide what she sees, through the same policy table as
//!   sync); only an Argon2id PHC string of the password is kept.
//! - **Sessions**: kept only as the SHA-256 of the cookie's token.
//! - **Audit**: every read of a person's record and every change, in a chain
//!   of HMAC-SHA256 values under a key derived from the server key (outside
//!   the database), so an edit, insertion or deletion inside the log shows.
//!   Changes pushed by phones enter the log through a trigger on
//!   `applied_versions` and are chained at the next append or read.
//! - **Records**: what a viewer may see, opened, for the pages to summarise.

use super::{Organisation, RecordMeta, StoreError, Worker};
use crate::policy::Viewer;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A worker's way into the dashboard.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub worker_id: String,
    /// Case-insensitively unique.
    pub username: String,
    /// An Argon2id PHC string.
    pub password_hash: String,
    pub created_at: Timestamp,
    /// Failed sign-ins since the last success or lockout.
    pub failed_attempts: u32,
    pub locked_until: Option<Timestamp>,
    pub last_sign_in_at: Option<Timestamp>,
}

impl std::fmt::Debug for Account {
    /// Never prints the password hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("worker_id", &self.worker_id)
            .field("username", &self.username)
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

/// A signed-in session: the worker behind it and when it was last used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub worker: Worker,
    pub organisation: Organisation,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// She is one of the partnership's administrators: she alone grants
    /// police and receiving-agency identities ([`crate::dashboard::grants`]).
    pub partnership_admin: bool,
}

/// How failed sign-ins slow down further tries from the same client on the
/// same name: a few are free, then each waits twice as long as the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInBackoff {
    /// Failures in a row before the first wait.
    pub free_failures: u32,
    /// The wait after the `free_failures`-th failure; it doubles with each
    /// failure after that.
    pub first_delay: chrono::Duration,
    /// The longest wait.
    pub max_delay: chrono::Duration,
}

impl SignInBackoff {
    /// The wait after `failures` failures in a row (zero while free).
    pub fn delay(&self, failures: u32) -> chrono::Duration {
        if failures == 0 || failures < self.free_failures {
            return chrono::Duration::zero();
        }
        let doublings = (failures - self.free_failures).min(30);
        let factor = 1i32 << doublings;
        self.first_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }
}

/// One line of the audit log as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    /// A worker id, or `device:<id>` for a change a phone pushed.
    pub actor: String,
    /// A short verb: `sign_in`, `view_person`, `revoke_device`...
    pub action: String,
    /// What it was done to (a record id, a device id), never record content.
    pub subject: Option<String>,
    /// Plain words about it, never record content.
    pub detail: Option<String>,
}

/// One line of the audit log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    /// The chain value, hex; `None` only before it is chained.
    pub mac: Option<String>,
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// Entries checked.
    pub entries: u64,
    /// The first entry whose value does not follow from the ones before it.
    pub first_broken: Option<u64>,
    /// The last chain value (hex), to note down outside the server.
    pub head: Option<String>,
}

/// A live record the viewer may see, with its body opened.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleRecord {
    pub meta: RecordMeta,
    pub body: Map<String, Value>,
}

/// How far ahead of the server's a phone's clock is allowed for when a page
/// reads records by when they reached the server.
pub const PHONE_CLOCK_SLACK: chrono::Duration = chrono::Duration::hours(1);

/// Which records a dashboard page reads: the kinds it shows, narrowed to
/// what reached the server since a moment (a record made at `t` reaches the
/// server at `t` or later, so this is a superset of the records dated since
/// then), to one person's records, or to live team alerts. Every part is
/// answered from indexed plaintext columns; only the rows chosen are opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kinds: Vec<RecordKind>,
    /// Only records (some version of which was) applied at or after this.
    pub applied_since: Option<Timestamp>,
    /// Only her profile and the records about her.
    pub person: Option<Uuid>,
    /// Only records whose team alert runs past this moment.
    pub alert_after: Option<Timestamp>,
    /// The kinds are few among the records (profiles, referrals, concerns,
    /// rounds): a backend may walk their kind index and keep those applied
    /// since the moment, instead of looking up every record changed since.
    pub few: bool,
}

impl Scope {
    /// Every live record of these kinds.
    pub fn kinds(kinds: &[RecordKind]) -> Scope {
        Scope {
            kinds: kinds.to_vec(),
            applied_since: None,
            person: None,
            alert_after: None,
            few: false,
        }
    }

    /// Records of these kinds dated `t` or later by the phone that made
    /// them: those that reached the server after `t` less
    /// [`PHONE_CLOCK_SLACK`] (a phone's clock may run a little ahead).
    pub fn since(kinds: &[RecordKind], t: Timestamp) -> Scope {
        Scope {
            applied_since: Some(t - PHONE_CLOCK_SLACK),
            ..Scope::kinds(kinds)
        }
    }

    /// As [`Scope::since`], for kinds that are few among the records.
    pub fn since_few(kinds: &[RecordKind], t: Timestamp) -> Scope {
        Scope {
            few: true,
            ..Scope::since(kinds, t)
        }
    }
}

/// A person the viewer may see (her profile unopened) and the last of her
/// contacts the viewer may see: what the people list needs of everyone.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonSeen {
    pub meta: RecordMeta,
    /// Her last contact: its id and when it was made.
    pub last_contact: Option<(Uuid, Timestamp)>,
}

/// A woman's contacts as a viewer may see them, unopened: how many, and
/// the last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactsOf {
    pub count: usize,
    pub last: Option<(Uuid, Timestamp)>,
}

/// Whose records of a kind a viewer's figures count: her organisation's,
/// or only her own (the policy's rule for the kind, without the records
/// that reach her by consent or as alerts: a figure counts the work of her
/// organisation, or hers, once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    Organisation(&'a str),
    Author(&'a str),
    Nobody,
}

impl<'a> Whose<'a> {
    pub fn of(kind: RecordKind, viewer: &Viewer<'a>) -> Whose<'a> {
        use crate::policy::Sees;
        match crate::policy::sees(kind, viewer.role) {
            Sees::OwnOrganisation
            | Sees::OwnOrganisationAndAlerts
            | Sees::OwnOrganisationAndSharedWithIt => Whose::Organisation(viewer.organisation_id),
            Sees::Own | Sees::OwnAndAlerts | Sees::OwnAndPeopleConsentingToPolice => {
                Whose::Author(viewer.worker_id)
            }
            _ => Whose::Nobody,
        }
    }

    /// Whether a record is one of these.
    pub fn counts(&self, meta: &RecordMeta) -> bool {
        match self {
            Whose::Organisation(o) => meta.organisation_id == *o,
            Whose::Author(w) => meta.author_worker_id == *w,
            Whose::Nobody => false,
        }
    }
}

/// One counted contact: whom it was with and on which evening round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactTally {
    pub person_id: Option<Uuid>,
    pub round: chrono::NaiveDate,
}

/// Supplies handed out or left on one round, of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyTally {
    pub round: chrono::NaiveDate,
    pub item_id: String,
    pub quantity: u64,
}

/// A referral as the board needs it before opening any: from the referral
/// index (no needs, no name).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRow {
    pub id: Uuid,
    pub agency_id: String,
    pub urgency: nightround_core::domain::Urgency,
    /// Not yet closed (declined, completed, withdrawn).
    pub open: bool,
    /// Waiting for the agency's answer.
    pub awaiting: bool,
    pub due_at: Timestamp,
}

impl ReferralRow {
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.awaiting && now > self.due_at
    }
}

/// The newest contact of `contacts` (opened, as the dashboard reads them).
fn last_of<'a>(contacts: impl Iterator<Item = &'a VisibleRecord>) -> Option<(Uuid, Timestamp)> {
    contacts
        .filter_map(|r| {
            let at = Timestamp::deserialize(r.body.get("at")?).ok()?;
            Some((r.meta.id, at))
        })
        .max_by_key(|(_, at)| *at)
}

/// An escalation of an overdue referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub referral_id: Uuid,
    pub worker_id: String,
    pub at: Timestamp,
}

/// Storage for the dashboard. Each method is one transaction.
pub trait DashboardStore: Send + Sync {
    /// Fails with [`StoreError::Duplicate`] when the worker has an account or
    /// the username is taken.
    fn add_account(&self, account: &Account) -> Result<(), StoreError>;
    fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError>;
    fn account_of(&self, worker_id: &str) -> Result<Option<Account>, StoreError>;
    /// Replaces the password hash and clears any lockout.
    fn set_password(&self, worker_id: &str, password_hash: &str) -> Result<bool, StoreError>;
    /// Until when sign-ins on `username` from `client` must wait, if they
    /// must (the name as typed, known or not, so the answer never tells).
    fn sign_in_blocked_until(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Counts a failed sign-in on `username` from `client`; returns until
    /// when the next try from there must wait, if it must. Rows untouched
    /// for a day are forgotten.
    fn note_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
        backoff: &SignInBackoff,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Forgets the failures on `username` from `client` (after a success).
    fn clear_sign_in_failures(&self, username: &str, client: &str) -> Result<(), StoreError>;
    /// Makes the worker one of the partnership's administrators, or not.
    fn set_partnership_admin(
        &self,
        worker_id: &str,
        admin: bool,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    fn is_partnership_admin(&self, worker_id: &str) -> Result<bool, StoreError>;
    /// Clears the failure count and notes the sign-in.
    fn sign_in_succeeded(&self, worker_id: &str, now: Timestamp) -> Result<(), StoreError>;

    fn create_session(
        &self,
        token_hash: &[u8; 32],
        worker_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionInfo>, StoreError>;
    fn touch_session(&self, token_hash: &[u8; 32], now: Timestamp) -> Result<(), StoreError>;
    fn end_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError>;
    /// Removes sessions idle since before `idle_before` or begun before
    /// `started_before`.
    fn end_stale_sessions(
        &self,
        idle_before: Timestamp,
        started_before: Timestamp,
    ) -> Result<usize, StoreError>;

    /// Chains any pending entries, then appends this one.
    fn append_audit(&self, entry: &NewAuditEntry) -> Result<u64, StoreError>;
    /// The newest entries first, at most `limit`, before `before_seq` if given.
    fn audit_entries(
        &self,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Chains any pending entries, then recomputes the whole chain.
    fn verify_audit(&self) -> Result<AuditVerification, StoreError>;

    /// Every live record `viewer` may see at `now`, in sequence order.
    fn visible_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<VisibleRecord>, StoreError>;
    /// The live records in `scope` that `viewer` may see at `now`, in
    /// sequence order: what one page shows, not the whole store.
    fn visible_records_in(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        scope: &Scope,
    ) -> Result<Vec<VisibleRecord>, StoreError>;
    /// The people `viewer` may see at `now`, newest profile first, each
    /// with her last contact the viewer may see; no body is opened. The
    /// backends answer it from the contact index; this default (the
    /// reference a new backend starts from) reads and opens every profile
    /// and contact.
    fn people_seen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<PersonSeen>, StoreError> {
        let all = self.visible_records_in(
            viewer,
            now,
            &Scope::kinds(&[RecordKind::Person, RecordKind::Contact]),
        )?;
        let mut people: Vec<PersonSeen> = all
            .iter()
            .filter(|r| r.meta.kind == RecordKind::Person)
            .map(|p| PersonSeen {
                meta: p.meta.clone(),
                last_contact: last_of(all.iter().filter(|c| {
                    c.meta.kind == RecordKind::Contact && c.meta.person_id == Some(p.meta.id)
                })),
            })
            .collect();
        people.sort_by_key(|p| std::cmp::Reverse(p.meta.seq));
        Ok(people)
    }

    /// Her contacts `viewer` may see at `now`, counted, none opened.
    fn contacts_of(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        person: Uuid,
    ) -> Result<ContactsOf, StoreError> {
        let scope = Scope {
            person: Some(person),
            ..Scope::kinds(&[RecordKind::Contact])
        };
        let mine = self.visible_records_in(viewer, now, &scope)?;
        Ok(ContactsOf {
            count: mine.len(),
            last: last_of(mine.iter()),
        })
    }

    /// For each of these women (the rows on screen): her contacts the
    /// viewer may see, counted, and how many of her referrals the viewer
    /// may see are open; nothing opened where the indexes answer.
    fn people_on_screen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        people: &[Uuid],
    ) -> Result<Vec<(ContactsOf, usize)>, StoreError> {
        use nightround_core::domain::Referral;
        let mut out = Vec::with_capacity(people.len());
        for p in people {
            let contacts = self.contacts_of(viewer, now, *p)?;
            let scope = Scope {
                person: Some(*p),
                ..Scope::kinds(&[RecordKind::Referral])
            };
            let open = self
                .visible_records_in(viewer, now, &scope)?
                .into_iter()
                .filter_map(|r| Referral::deserialize(Value::Object(r.body)).ok())
                .filter(|r| r.person_id == *p && r.status.is_open())
                .count();
            out.push((contacts, open));
        }
        Ok(out)
    }

    /// The records with these ids that `viewer` may see at `now`, opened
    /// through the pull's projection: the rows on screen, and no others.
    fn open_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        ids: &[Uuid],
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        let mut all = self.visible_records(viewer, now)?;
        all.retain(|r| ids.contains(&r.meta.id));
        Ok(all)
    }

    /// The evening rounds on which `viewer`'s organisation recorded a
    /// contact, oldest first (dates only: what "not seen for three rounds"
    /// counts against).
    fn contact_rounds(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<chrono::NaiveDate>, StoreError> {
        let contacts =
            self.visible_records_in(viewer, now, &Scope::kinds(&[RecordKind::Contact]))?;
        let rounds: std::collections::BTreeSet<_> = contacts
            .iter()
            .filter(|c| c.meta.organisation_id == viewer.organisation_id)
            .filter_map(|c| Timestamp::deserialize(c.body.get("at")?).ok())
            .map(crate::dashboard::time::round_of)
            .collect();
        Ok(rounds.into_iter().collect())
    }

    /// The contacts of [`Whose::of`] the viewer on rounds `from..=to`,
    /// unopened. Both backends read the contact index; the default opens
    /// the period's contacts.
    fn contact_tallies(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<ContactTally>, StoreError> {
        let whose = Whose::of(RecordKind::Contact, viewer);
        let scope = Scope::since(
            &[RecordKind::Contact],
            crate::dashboard::time::round_start(from),
        );
        let mut out = Vec::new();
        for r in self.visible_records_in(viewer, now, &scope)? {
            let Some(at) = r
                .body
                .get("at")
                .and_then(|v| Timestamp::deserialize(v).ok())
            else {
                continue;
            };
            let round = crate::dashboard::time::round_of(at);
            if whose.counts(&r.meta) && round >= from && round <= to {
                out.push(ContactTally {
                    person_id: r.meta.person_id,
                    round,
                });
            }
        }
        Ok(out)
    }

    /// Supplies of [`Whose::of`] the viewer (by the drops' rule) on rounds
    /// `from..=to`, by round and item, from contacts and drops.
    fn supply_tallies(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<SupplyTally>, StoreError> {
        use nightround_core::domain::{Contact, SupplyDrop};
        let whose = Whose::of(RecordKind::SupplyDrop, viewer);
        let scope = Scope::since(
            &[RecordKind::Contact, RecordKind::SupplyDrop],
            crate::dashboard::time::round_start(from),
        );
        let mut sums: std::collections::BTreeMap<(chrono::NaiveDate, String), u64> =
            std::collections::BTreeMap::new();
        for r in self.visible_records_in(viewer, now, &scope)? {
            if !whose.counts(&r.meta) {
                continue;
            }
            let body = Value::Object(r.body);
            let (at, lines) = match r.meta.kind {
                RecordKind::Contact => match Contact::deserialize(body) {
                    Ok(c) => (c.at, c.supplies),
                    Err(_) => continue,
                },
                _ => match SupplyDrop::deserialize(body) {
                    Ok(d) => (d.at, d.lines),
                    Err(_) => continue,
                },
            };
            let round = crate::dashboard::time::round_of(at);
            if round < from || round > to {
                continue;
            }
            for l in lines {
                *sums.entry((round, l.item_id)).or_default() += u64::from(l.quantity);
            }
        }
        Ok(sums
            .into_iter()
            .map(|((round, item_id), quantity)| SupplyTally {
                round,
                item_id,
                quantity,
            })
            .collect())
    }

    /// Referrals of [`Whose::of`] the viewer awaiting an answer past their
    /// due time at `now`, counted by agency id.
    fn overdue_referrals(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<std::collections::BTreeMap<String, usize>, StoreError> {
        use nightround_core::domain::Referral;
        let whose = Whose::of(RecordKind::Referral, viewer);
        let mut out = std::collections::BTreeMap::new();
        for r in self.visible_records_in(viewer, now, &Scope::kinds(&[RecordKind::Referral]))? {
            if !whose.counts(&r.meta) {
                continue;
            }
            if let Ok(referral) = Referral::deserialize(Value::Object(r.body)) {
                if referral.is_overdue(now) {
                    *out.entry(referral.agency_id).or_default() += 1;
                }
            }
        }
        Ok(out)
    }

    /// Every referral `viewer` may see at `now`, unopened: what the board
    /// counts and chooses its cards from.
    fn referral_rows(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<ReferralRow>, StoreError> {
        use nightround_core::domain::Referral;
        let mut out = Vec::new();
        for r in self.visible_records_in(viewer, now, &Scope::kinds(&[RecordKind::Referral]))? {
            if let Ok(b) = Referral::deserialize(Value::Object(r.body)) {
                out.push(ReferralRow {
                    id: r.meta.id,
                    agency_id: b.agency_id,
                    urgency: b.urgency,
                    open: b.status.is_open(),
                    awaiting: b.status.awaits_response(),
                    due_at: b.due_at,
                });
            }
        }
        Ok(out)
    }

    /// Records a supervisor's escalation of a referral.
    fn add_escalation(&self, escalation: &Escalation) -> Result<(), StoreError>;
    fn escalations(&self) -> Result<Vec<Escalation>, StoreError>;
}
