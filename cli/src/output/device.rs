//! The screens about the device itself rather than a round: sync status and
//! the directory (the leaflet).

use super::table::Table;
use super::{line, when, View};
use nightround_core::domain::{Directory, WorkerIdentity};
use nightround_core::Timestamp;
use serde::Serialize;

/// `show status`: who this device is and how sync stands.
#[derive(Debug, Clone, Serialize)]
pub struct StatusScreen {
    /// The worker this device records as; `None` when the lease has run
    /// out, since the core then refuses to say.
    pub identity: Option<WorkerIdentity>,
    /// The vault file.
    pub vault: String,
    /// Whether the device is enrolled with a server.
    pub enrolled: bool,
    /// Changes waiting for the server.
    pub pending: u64,
    /// Changes the server refused, held back.
    pub quarantined: u64,
    /// Why each was refused.
    pub quarantine_reasons: Vec<String>,
    /// The last successful sync (or the enrolment).
    pub last_success: Option<Timestamp>,
    /// The last problem, in plain words.
    pub last_error: Option<String>,
    /// After this the device locks until it syncs.
    pub lease_expires: Option<Timestamp>,
    /// The lease has run out: nothing but sync works until a sync succeeds.
    pub lease_expired: bool,
    /// The directory's revision (1 until a server sends its own); `None`
    /// when the lease has run out.
    pub directory_revision: Option<u32>,
}

impl View for StatusScreen {
    fn text(&self, out: &mut String) {
        match &self.identity {
            Some(i) => line(
                out,
                format!(
                    "{} ({}, {})",
                    i.display_name,
                    i.role.label(),
                    i.organisation
                ),
            ),
            None => line(out, "(who this device is: hidden until it syncs)"),
        }
        line(out, format!("vault:        {}", self.vault));
        if !self.enrolled {
            line(out, "sync:         local only (not enrolled with a server)");
        }
        line(out, format!("waiting:      {} changes", self.pending));
        line(out, format!("held back:    {} changes", self.quarantined));
        for r in &self.quarantine_reasons {
            line(out, format!("  {r}"));
        }
        let last = self.last_success.map_or_else(|| "never".into(), when);
        line(out, format!("last sync:    {last}"));
        if let Some(e) = &self.last_error {
            line(out, format!("last problem: {e}"));
        }
        if let Some(l) = self.lease_expires {
            if self.lease_expired {
                line(
                    out,
                    format!("LEASE EXPIRED at {}: sync to carry on", when(l)),
                );
            } else {
                line(out, format!("sync before:  {}", when(l)));
            }
        }
        if let Some(r) = self.directory_revision {
            line(out, format!("directory:    revision {r}"));
        }
    }
}

/// `show directory`: the leaflet, the areas and the supplies catalogue.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct DirectoryScreen(pub Directory);

impl View for DirectoryScreen {
    fn text(&self, out: &mut String) {
        let d = &self.0;
        line(out, "Services");
        for a in &d.agencies {
            line(out, "");
            line(out, format!("{}  [{}]", a.name, a.id));
            line(out, format!("  what:  {}", a.offers));
            line(out, format!("  where: {}", a.address));
            line(out, format!("  when:  {}", a.opening_times));
            line(out, format!("  phone: {}", a.phone));
            line(
                out,
                format!(
                    "  answers referrals within: red {} h, amber {} h, green {} h",
                    a.response.red_hours, a.response.amber_hours, a.response.green_hours
                ),
            );
        }
        if d.agencies.iter().any(|a| a.example_details) {
            line(out, "");
            line(
                out,
                "(addresses, numbers and hours are invented examples until the partnership's directory is synced)",
            );
        }
        line(out, "");
        line(out, "Areas");
        let mut t = Table::new(&["  id", "name"]);
        for a in &d.areas {
            t.row(vec![format!("  {}", a.id), a.name.clone()]);
        }
        t.render(out, "  none");
        line(out, "");
        line(out, "Supplies");
        let mut t = Table::new(&["  id", "name"]);
        for s in &d.supplies {
            t.row(vec![format!("  {}", s.id), s.name.clone()]);
        }
        t.render(out, "  none");
    }
}
