//! The records a signed-in worker may see, read through the policy table and
//! parsed into core's types, with the directory to name agencies, areas and
//! supplies. Every page starts here, so no page can show more than her role
//! may see. A page names what it shows ([`Scope`]s: kinds, since when, whose;
//! or the ids on screen) and only those rows are read and opened
//! ([`Visible::load_scoped`], [`Visible::load_ids`]); no page reads the whole
//! store. Counts come from the indexes (`DashboardStore::contact_tallies` and
//! the like), not from opened records.

use super::auth::SignedIn;
use super::time;
use super::{blocking, DashError, DashboardState};
use crate::store::dashboard::{Scope, VisibleRecord};
use crate::store::RecordMeta;
use chrono::NaiveDate;
use nightround_core::domain::{
    CheckIn, Concern, Consent, Contact, Directory, Person, RecordKind, Referral, Round, SupplyDrop,
    SupplyLine,
};
use nightround_core::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// A record with the server's plaintext facts about it.
#[derive(Debug, Clone)]
pub struct Rec<T> {
    pub meta: RecordMeta,
    pub body: T,
}

/// Everything one viewer may see, at one moment.
#[derive(Debug, Clone)]
pub struct Visible {
    pub now: Timestamp,
    pub directory: Directory,
    pub people: HashMap<Uuid, Rec<Person>>,
    pub contacts: Vec<Rec<Contact>>,
    pub supply_drops: Vec<Rec<SupplyDrop>>,
    pub concerns: Vec<Rec<Concern>>,
    pub consents: Vec<Rec<Consent>>,
    pub referrals: Vec<Rec<Referral>>,
    /// Lone-worker rounds, newest first.
    pub rounds: Vec<Rec<Round>>,
    pub check_ins: Vec<Rec<CheckIn>>,
    /// The ids already sorted in, so scopes that overlap add a record once.
    ids: HashSet<Uuid>,
}

fn parse<T: DeserializeOwned>(r: VisibleRecord) -> Option<Rec<T>> {
    match T::deserialize(Value::Object(r.body)) {
        Ok(body) => Some(Rec { meta: r.meta, body }),
        Err(_) => {
            // The id and kind only: never the body.
            tracing::warn!(id = %r.meta.id, kind = r.meta.kind.as_str(), "a stored record did not parse; left off the dashboard");
            None
        }
    }
}

impl Visible {
    /// Loads what `who` may see now within `scopes` (and nothing else).
    pub async fn load_scoped(
        state: &DashboardState,
        who: &SignedIn,
        scopes: Vec<Scope>,
    ) -> Result<Visible, DashError> {
        let now = state.now();
        let store = state.0.store.clone();
        let dash = state.0.dash.clone();
        let who = who.clone();
        blocking(move || {
            let directory = store.directory()?;
            let mut v = Visible::from_records(now, directory, Vec::new());
            for scope in &scopes {
                v.add(dash.visible_records_in(&who.viewer(), now, scope)?);
            }
            v.sort();
            Ok(v)
        })
        .await
    }

    /// Loads the records with these ids that `who` may see now (a form's
    /// one record), and nothing else.
    pub async fn load_ids(
        state: &DashboardState,
        who: &SignedIn,
        ids: Vec<Uuid>,
    ) -> Result<Visible, DashError> {
        let mut v = Visible::load_scoped(state, who, Vec::new()).await?;
        v.add_ids(state, who, ids).await?;
        Ok(v)
    }

    /// Adds what `who` may see within `scopes` to what is loaded: a page's
    /// second step, once the first told it how far back to read.
    pub async fn extend(
        &mut self,
        state: &DashboardState,
        who: &SignedIn,
        scopes: Vec<Scope>,
    ) -> Result<(), DashError> {
        let now = self.now;
        let dash = state.0.dash.clone();
        let who = who.clone();
        let more = blocking(move || {
            let mut all = Vec::new();
            for scope in &scopes {
                all.extend(dash.visible_records_in(&who.viewer(), now, scope)?);
            }
            Ok(all)
        })
        .await?;
        self.add(more);
        self.sort();
        Ok(())
    }

    /// Adds the records with these ids that `who` may see: one record a
    /// form acts on, or the profiles named by the rows on screen (for their
    /// aliases), and nothing else.
    pub async fn add_ids(
        &mut self,
        state: &DashboardState,
        who: &SignedIn,
        ids: Vec<Uuid>,
    ) -> Result<(), DashError> {
        let ids: Vec<Uuid> = ids
            .into_iter()
            .filter(|id| !self.ids.contains(id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let now = self.now;
        let dash = state.0.dash.clone();
        let who = who.clone();
        let more = blocking(move || Ok(dash.open_records(&who.viewer(), now, &ids)?)).await?;
        self.add(more);
        self.sort();
        Ok(())
    }

    /// Adds the profiles of the women the loaded referrals name.
    pub async fn add_referred_people(
        &mut self,
        state: &DashboardState,
        who: &SignedIn,
    ) -> Result<(), DashError> {
        let ids = self.referrals.iter().map(|r| r.body.person_id).collect();
        self.add_ids(state, who, ids).await
    }

    /// Sorts opened records into their kinds.
    pub fn from_records(now: Timestamp, directory: Directory, records: Vec<VisibleRecord>) -> Self {
        let mut v = Visible {
            now,
            directory,
            people: HashMap::new(),
            contacts: Vec::new(),
            supply_drops: Vec::new(),
            concerns: Vec::new(),
            consents: Vec::new(),
            referrals: Vec::new(),
            rounds: Vec::new(),
            check_ins: Vec::new(),
            ids: HashSet::new(),
        };
        v.add(records);
        v.sort();
        v
    }

    fn add(&mut self, records: Vec<VisibleRecord>) {
        let v = self;
        for r in records {
            if !v.ids.insert(r.meta.id) {
                continue;
            }
            match r.meta.kind {
                RecordKind::Person => {
                    if let Some(p) = parse::<Person>(r) {
                        v.people.insert(p.body.id, p);
                    }
                }
                RecordKind::Contact => v.contacts.extend(parse(r)),
                RecordKind::SupplyDrop => v.supply_drops.extend(parse(r)),
                RecordKind::Concern => v.concerns.extend(parse(r)),
                RecordKind::Consent => v.consents.extend(parse(r)),
                RecordKind::Referral => v.referrals.extend(parse(r)),
                RecordKind::Round => v.rounds.extend(parse(r)),
                RecordKind::CheckIn => v.check_ins.extend(parse(r)),
            }
        }
    }

    fn sort(&mut self) {
        let v = self;
        v.contacts.sort_by_key(|c| std::cmp::Reverse(c.body.at));
        v.supply_drops.sort_by_key(|s| std::cmp::Reverse(s.body.at));
        v.concerns.sort_by_key(|c| std::cmp::Reverse(c.body.at));
        v.referrals.sort_by_key(|r| r.body.due_at);
        v.rounds
            .sort_by_key(|r| std::cmp::Reverse(r.body.started_at));
        v.check_ins
            .sort_by_key(|c| std::cmp::Reverse(c.body.made_at));
    }

    /// Her alias, when the viewer may see her profile.
    pub fn alias(&self, person: Option<Uuid>) -> Option<&str> {
        person
            .and_then(|p| self.people.get(&p))
            .map(|p| p.body.alias.as_str())
    }

    /// The alias, or words saying why there is none.
    pub fn alias_or(&self, person: Option<Uuid>) -> String {
        match (person, self.alias(person)) {
            (_, Some(a)) => a.to_owned(),
            (Some(_), None) => "(not shared with you)".into(),
            (None, None) => "(no name given)".into(),
        }
    }

    pub fn area_name(&self, id: &str) -> String {
        self.directory
            .area(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    pub fn agency_name(&self, id: &str) -> String {
        self.directory
            .agency(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    pub fn supply_name(&self, id: &str) -> String {
        self.directory
            .supply(id)
            .map_or_else(|| id.to_owned(), |s| s.name.clone())
    }

    /// "Condoms 10, Leaflet 1"
    pub fn supplies_text(&self, lines: &[SupplyLine]) -> String {
        lines
            .iter()
            .map(|l| format!("{} {}", self.supply_name(&l.item_id), l.quantity))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every supply line handed out or left, with when: contacts' and drops'.
    pub fn supply_lines(&self) -> Vec<(Timestamp, &SupplyLine)> {
        let from_contacts = self
            .contacts
            .iter()
            .flat_map(|c| c.body.supplies.iter().map(move |l| (c.body.at, l)));
        let from_drops = self
            .supply_drops
            .iter()
            .flat_map(|d| d.body.lines.iter().map(move |l| (d.body.at, l)));
        from_contacts.chain(from_drops).collect()
    }

    /// The rounds (evenings) on which any contact was recorded, oldest first.
    pub fn rounds(&self) -> Vec<NaiveDate> {
        self.contacts
            .iter()
            .map(|c| time::round_of(c.body.at))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// "outreach conversation"
pub fn snake_words(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s.replace('_', " "),
        _ => String::new(),
    }
}
