//! What the recording commands print: the record made, by id, with enough
//! to see it was the right one. Text is one or two lines; JSON is the record.

use super::rows::{referral_cells, supply_words, ConcernRow, ContactRow, REFERRAL_HEADER};
use super::table::Table;
use super::{line, when, words, ReferralRow, View};
use nightround_core::domain::{Person, SupplyDrop, WorkerIdentity};
use nightround_core::sync::SyncReport;
use serde::Serialize;
use uuid::Uuid;

/// `add-person`: the new profile. Text is the id alone, so that a script can
/// write `ID=$(nightround add-person --alias Jade)`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PersonAdded(pub Person);

impl View for PersonAdded {
    fn text(&self, out: &mut String) {
        line(out, self.0.id.to_string());
    }
}

/// `contact`: the contact recorded.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ContactRecorded(pub ContactRow);

impl View for ContactRecorded {
    fn text(&self, out: &mut String) {
        let c = &self.0;
        let who = c.person_alias.as_deref().unwrap_or("anonymous");
        let mut s = format!(
            "Recorded contact {} ({}, {}, {})",
            c.contact.id,
            c.area_name,
            who,
            words(&c.contact.kind)
        );
        if !c.contact.supplies.is_empty() {
            s.push_str(&format!(
                "; supplies: {}",
                supply_words(&c.contact.supplies)
            ));
        }
        line(out, s);
        if c.contact.safeguarding.is_some() {
            line(
                out,
                "Safeguarding: she may be under 18. Follow the safeguarding procedure tonight.",
            );
        }
    }
}

/// `supplies`: the drop recorded.
#[derive(Debug, Clone, Serialize)]
pub struct SuppliesRecorded {
    /// The drop as the core stores it.
    #[serde(flatten)]
    pub drop: SupplyDrop,
    /// The area's name.
    pub area_name: String,
}

impl View for SuppliesRecorded {
    fn text(&self, out: &mut String) {
        line(
            out,
            format!(
                "Recorded supplies {} ({}, {}): {}",
                self.drop.id,
                self.area_name,
                words(&self.drop.purpose),
                supply_words(&self.drop.lines)
            ),
        );
    }
}

/// `concern`: the concern recorded, and whether it is a team alert.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ConcernRaised(pub ConcernRow);

impl View for ConcernRaised {
    fn text(&self, out: &mut String) {
        let c = &self.0.concern;
        line(
            out,
            format!(
                "Recorded concern {} ({}, {}, {})",
                c.id,
                words(&c.category),
                words(&c.severity),
                self.0.area_name
            ),
        );
        match c.alert_until {
            Some(until) => line(
                out,
                format!(
                    "Team alert until {}: every team device gets it on its next sync",
                    when(until)
                ),
            ),
            None => line(out, "Not shared as a team alert"),
        }
    }
}

/// `refer`: one referral per agency.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ReferralsMade(pub Vec<ReferralRow>);

impl View for ReferralsMade {
    fn text(&self, out: &mut String) {
        line(
            out,
            format!("Recorded her consent and {} referral(s)", self.0.len()),
        );
        let mut t = Table::new(&REFERRAL_HEADER);
        for r in &self.0 {
            t.row(referral_cells(r));
        }
        t.render(out, "");
    }
}

/// `referral-status`: the referral moved on.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct StatusChanged(pub ReferralRow);

impl View for StatusChanged {
    fn text(&self, out: &mut String) {
        let r = &self.0;
        line(
            out,
            format!(
                "Referral {} to {} is now {}",
                r.referral.id,
                r.agency_name,
                r.referral.status.as_str()
            ),
        );
    }
}

/// `init`: a local vault was made.
#[derive(Debug, Clone, Serialize)]
pub struct Initialised {
    /// Who the vault records as.
    pub identity: WorkerIdentity,
    /// The vault file.
    pub vault: String,
}

impl View for Initialised {
    fn text(&self, out: &mut String) {
        let i = &self.identity;
        line(
            out,
            format!(
                "Created a local vault for {} ({}, {}) at {}",
                i.display_name,
                i.role.label(),
                i.organisation,
                self.vault
            ),
        );
        line(out, "It is not enrolled with a server: nothing will sync.");
    }
}

/// `enrol`: who the server enrolled this device as. The device token stays
/// sealed in the vault and is never printed.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    /// Who the vault records as, from the server.
    pub identity: WorkerIdentity,
    /// The server's id for this device.
    pub device_id: Uuid,
    /// The server.
    pub server_url: String,
    /// Days the device may go without a sync before it locks.
    pub lease_days: u32,
    /// The vault file.
    pub vault: String,
}

impl View for Enrolled {
    fn text(&self, out: &mut String) {
        let i = &self.identity;
        line(
            out,
            format!(
                "Enrolled as {} ({}, {}) with {}",
                i.display_name,
                i.role.label(),
                i.organisation,
                self.server_url
            ),
        );
        line(
            out,
            format!("Device {}; vault at {}", self.device_id, self.vault),
        );
        if self.lease_days > 0 {
            line(
                out,
                format!(
                    "Sync at least every {} days, or the device locks itself",
                    self.lease_days
                ),
            );
        }
    }
}

/// `sync`: what one sync did.
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    /// Changes the server took.
    pub pushed: u64,
    /// Changes it already had.
    pub duplicates: u64,
    /// Changes it refused, now held back.
    pub rejected: u64,
    /// Changes pulled and applied here.
    pub pulled: u64,
    /// Still waiting.
    pub pending: u64,
    /// Changes an erased vault left behind (`vault.db.undelivered`), which
    /// this sync handed to the server first.
    pub delivered: u64,
}

impl From<SyncReport> for Synced {
    fn from(r: SyncReport) -> Self {
        Synced {
            delivered: 0,
            pushed: r.pushed,
            duplicates: r.duplicates,
            rejected: r.rejected,
            pulled: r.pulled,
            pending: r.pending,
        }
    }
}

impl View for Synced {
    fn text(&self, out: &mut String) {
        if self.delivered > 0 {
            line(
                out,
                format!(
                    "Delivered {} changes the erased vault had not sent",
                    self.delivered
                ),
            );
        }
        line(
            out,
            format!(
                "Synced: {} sent, {} already there, {} refused, {} received, {} still waiting",
                self.pushed, self.duplicates, self.rejected, self.pulled, self.pending
            ),
        );
        if self.rejected > 0 {
            line(
                out,
                "Refused changes are held back: see `nightround show status`",
            );
        }
    }
}
