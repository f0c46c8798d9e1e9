//! The `show` screens of a round, as the phone shows them: tonight, alerts,
//! referrals, one person's timeline, the people on this device.

use super::rows::{
    list_words, referral_cells, supply_words, ConcernRow, ConsentRow, ContactRow, ReferralRow,
    REFERRAL_HEADER,
};
use super::table::Table;
use super::{line, when, words, View};
use nightround_core::domain::{Concern, Person};
use nightround_core::vault::RoundSummary;
use nightround_core::Timestamp;
use serde::Serialize;
use uuid::Uuid;

/// The alerts screen's rows are concern rows.
pub type AlertRow = ConcernRow;

/// `show tonight`: the round so far and its contacts.
#[derive(Debug, Clone, Serialize)]
pub struct TonightScreen {
    /// The start of the round.
    pub since: Timestamp,
    /// Counts and supplies, as the core computes them.
    pub summary: RoundSummary,
    /// Contacts since then, newest first.
    pub contacts: Vec<ContactRow>,
}

impl View for TonightScreen {
    fn text(&self, out: &mut String) {
        let s = &self.summary;
        line(out, format!("Tonight, since {}", when(self.since)));
        line(
            out,
            format!(
                "  {} contacts, {} people seen, {} anonymous, {} first contacts, {} safeguarding flags, {} concerns",
                s.contacts, s.people_seen, s.anonymous_contacts, s.first_contacts,
                s.safeguarding_flags, s.concerns
            ),
        );
        line(out, "");
        line(out, "Supplies given out");
        let mut t = Table::new(&["  item", "quantity"]);
        for total in &s.supplies {
            t.row(vec![
                format!("  {}", total.name),
                total.quantity.to_string(),
            ]);
        }
        t.render(out, "  none");
        line(out, "");
        line(out, "Contacts");
        let mut t = Table::new(&["when", "area", "who", "kind", "noticed", "supplies", "note"]);
        for c in &self.contacts {
            t.row(contact_cells(c));
        }
        t.render(out, "no contacts yet");
    }
}

fn contact_cells(c: &ContactRow) -> Vec<String> {
    let mut noticed = list_words(&c.contact.wellbeing);
    if c.contact.safeguarding.is_some() {
        noticed.push_str(" (safeguarding acknowledged)");
    }
    vec![
        when(c.contact.at),
        c.area_name.clone(),
        c.person_alias
            .clone()
            .unwrap_or_else(|| "(anonymous)".into()),
        words(&c.contact.kind),
        noticed,
        supply_words(&c.contact.supplies),
        c.contact.note.clone().unwrap_or_default(),
    ]
}

/// `show alerts`: team alerts still in force.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct AlertsScreen(pub Vec<AlertRow>);

fn vehicle_words(c: &Concern) -> String {
    c.vehicle.as_ref().map_or_else(String::new, |v| {
        [&v.colour, &v.make, &v.partial_registration]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    })
}

impl View for AlertsScreen {
    fn text(&self, out: &mut String) {
        let mut t = Table::new(&[
            "until",
            "severity",
            "what",
            "area",
            "vehicle",
            "description",
        ]);
        for a in &self.0 {
            let c = &a.concern;
            t.row(vec![
                c.alert_until.map(when).unwrap_or_default(),
                words(&c.severity).to_uppercase(),
                words(&c.category),
                a.area_name.clone(),
                vehicle_words(c),
                c.description.clone(),
            ]);
        }
        t.render(out, "no team alerts in force");
    }
}

/// `show referrals`: open referrals, overdue first.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ReferralsScreen(pub Vec<ReferralRow>);

impl View for ReferralsScreen {
    fn text(&self, out: &mut String) {
        let mut t = Table::new(&REFERRAL_HEADER);
        for r in &self.0 {
            t.row(referral_cells(r));
        }
        t.render(out, "no open referrals");
        let overdue = self.0.iter().filter(|r| r.overdue).count();
        if overdue > 0 {
            line(out, format!("{overdue} overdue"));
        }
    }
}

/// One line of a person's timeline.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineRow {
    /// A contact with her.
    Contact(ContactRow),
    /// A referral for her.
    Referral(ReferralRow),
    /// A consent she gave.
    Consent(ConsentRow),
    /// A concern she reported.
    Concern(ConcernRow),
}

impl TimelineRow {
    fn cells(&self) -> [String; 3] {
        match self {
            TimelineRow::Contact(c) => {
                let mut parts = vec![c.area_name.clone(), words(&c.contact.kind)];
                if !c.contact.wellbeing.is_empty() {
                    parts.push(list_words(&c.contact.wellbeing));
                }
                if !c.contact.supplies.is_empty() {
                    parts.push(supply_words(&c.contact.supplies));
                }
                if let Some(n) = &c.contact.note {
                    parts.push(format!("\"{n}\""));
                }
                [when(c.contact.at), "contact".into(), parts.join("; ")]
            }
            TimelineRow::Referral(r) => {
                let mut d = format!(
                    "{}, {}, {}, due {}",
                    r.agency_name,
                    words(&r.referral.urgency),
                    r.referral.status.as_str(),
                    when(r.referral.due_at)
                );
                if r.overdue {
                    d.push_str(" OVERDUE");
                }
                [when(r.referral.created_at), "referral".into(), d]
            }
            TimelineRow::Consent(c) => {
                let d = format!(
                    "{} ({}; {}), {}",
                    c.agency_name,
                    words(&c.consent.method),
                    list_words(&c.consent.covers),
                    words(&c.state)
                );
                [when(c.consent.given_at), "consent".into(), d]
            }
            TimelineRow::Concern(c) => {
                let d = format!(
                    "{} in {} ({})",
                    words(&c.concern.category),
                    c.area_name,
                    words(&c.concern.severity)
                );
                [when(c.concern.at), "concern".into(), d]
            }
        }
    }
}

/// `show person`: her profile and everything on this device about her.
#[derive(Debug, Clone, Serialize)]
pub struct PersonScreen {
    /// Her profile.
    pub person: Person,
    /// Newest first.
    pub timeline: Vec<TimelineRow>,
}

impl View for PersonScreen {
    fn text(&self, out: &mut String) {
        let p = &self.person;
        line(out, format!("{}  (id {})", p.alias, p.id));
        let mut facts = Vec::new();
        if let Some(d) = &p.description {
            facts.push(d.clone());
        }
        if let Some(y) = p.birth_year {
            facts.push(format!("born {y}"));
        }
        if p.prefers_female_worker {
            facts.push("prefers a female worker".into());
        }
        if let Some(k) = &p.key_worker {
            facts.push(format!("key worker {k}"));
        }
        if !facts.is_empty() {
            line(out, format!("  {}", facts.join("; ")));
        }
        line(
            out,
            format!(
                "  known since {}, by {}",
                when(p.created_at),
                p.recorded_by.organisation
            ),
        );
        line(out, "");
        let mut t = Table::new(&["when", "what", "details"]);
        for e in &self.timeline {
            t.row(e.cells().to_vec());
        }
        t.render(out, "nothing recorded about her yet");
    }
}

/// `show people`: who is on this device, for picking an alias or id.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PeopleScreen(pub Vec<PersonBrief>);

/// One person in the list.
#[derive(Debug, Clone, Serialize)]
pub struct PersonBrief {
    /// Her record id.
    pub id: Uuid,
    /// The name she gives.
    pub alias: String,
    /// When she was first recorded.
    pub created_at: Timestamp,
}

impl View for PeopleScreen {
    fn text(&self, out: &mut String) {
        let mut t = Table::new(&["alias", "since", "id"]);
        for p in &self.0 {
            t.row(vec![p.alias.clone(), when(p.created_at), p.id.to_string()]);
        }
        t.render(out, "no one recorded on this device yet");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nightround_core::domain::{
        Referral, ReferralStatus, Role, StatusChange, Urgency, WorkerIdentity,
    };

    fn referral(overdue: bool) -> ReferralRow {
        let now = chrono::Utc::now();
        let by = WorkerIdentity {
            worker_id: "w".into(),
            display_name: "Sam".into(),
            role: Role::OutreachWorker,
            organisation: "Aspirations".into(),
        };
        ReferralRow {
            referral: Referral {
                id: Uuid::now_v7(),
                person_id: Uuid::now_v7(),
                agency_id: "stars".into(),
                needs: "somewhere safe".into(),
                urgency: Urgency::Red,
                consent_id: Uuid::now_v7(),
                created_at: now,
                due_at: now,
                status: ReferralStatus::Queued,
                history: vec![StatusChange {
                    status: ReferralStatus::Queued,
                    at: now,
                    by: "Sam".into(),
                }],
                recorded_by: by,
            },
            agency_name: "STARS".into(),
            person_alias: Some("Jade".into()),
            overdue,
        }
    }

    #[test]
    fn overdue_referrals_are_marked() {
        let mut out = String::new();
        ReferralsScreen(vec![referral(true), referral(false)]).text(&mut out);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("OVERDUE"), "{out}");
        assert!(!lines[2].contains("OVERDUE"), "{out}");
        assert_eq!(lines.last().copied(), Some("1 overdue"));
        let json = serde_json::to_value(ReferralsScreen(vec![referral(true)])).unwrap();
        assert_eq!(json[0]["overdue"], true);
        assert_eq!(json[0]["agency_id"], "stars");
    }
}
