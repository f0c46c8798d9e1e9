//! A week of evening rounds in a Southend-like partnership, told through the
//! real core on the simulated phones and synced over loopback.
//!
//! Every evening the two Aspirations outreach workers go out (York Road,
//! Ambleside Drive, the town centre, the seafront): they meet women (some
//! nearly every night, some rarely, a few who stop being seen), log contacts
//! with the supplies they hand out, restock the hidden drop box, take
//! consent agency by agency and make red/amber/green referrals. The Vineyard
//! goes out on Tuesdays and Fridays; a plain-clothes police officer makes
//! welfare checks on Ambleside Drive on some evenings. A few concerns become
//! team alerts. Each morning the STARS duty desk acknowledges or accepts
//! most referrals addressed to it; nobody answers for HARP or Housing
//! Solutions, so their red referrals go overdue. Tonight's round is still
//! going on when the demo ends. All aliases and phrases are invented.

use super::rng::Rng;
use super::{demo_err, sync_options, Demo, Phone};
use crate::dashboard::time;
use crate::error::Result;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use indicatif::{ProgressBar, ProgressStyle};
use nightround_core::domain::{
    ConcernCategory, ConcernDraft, ConsentDraft, ConsentMethod, ContactDraft, ContactKind,
    InfoCategory, PersonDraft, ReferralForm, ReferralStatus, RoundDraft, Severity, SupplyDropDraft,
    SupplyLine, SupplyPurpose, TeamMember, Urgency, Vehicle, WellbeingFlag,
};
use nightround_core::Timestamp;
use std::collections::HashSet;
use uuid::Uuid;

/// Invented aliases for the women Aspirations meets.
const ASPIRATIONS_ALIASES: [&str; 26] = [
    "Ash", "Bex", "Cass", "Dani", "Edie", "Fen", "Gigi", "Hattie", "Izzy", "Jojo", "Kit", "Lou",
    "Mags", "Nell", "Oona", "Pip", "Queenie", "Roo", "Suki", "Tash", "Uma", "Vee", "Wren", "Xan",
    "Yaz", "Zee",
];
/// Invented aliases for the women The Vineyard meets.
const VINEYARD_ALIASES: [&str; 6] = ["Bella", "Cleo", "Dot", "Effie", "Flo", "Goldie"];

const NOTES: [&str; 10] = [
    "asked about the Thursday drop-in",
    "wants to see the nurse at the drop-in",
    "had a hot drink and a chat",
    "asked for a leaflet for a friend",
    "said afternoons are better for appointments",
    "would like a female key worker",
    "lost her phone, asked for credit",
    "talked about getting back to STARS",
    "cold tonight, took a coat",
    "asked when the dentist is coming",
];

const NEEDS: [(&str, &str); 9] = [
    (
        "housing_solutions",
        "somewhere safe to stay; sleeping in a B&B night by night",
    ),
    (
        "harp",
        "a bed tonight and help with a homelessness application",
    ),
    (
        "stars",
        "wants to restart a script; women-only session preferred",
    ),
    (
        "sexual_health",
        "fast-tracked check-up and home testing kit",
    ),
    ("tht", "sexual health advice"),
    ("safe_steps", "support after violence at home"),
    ("cgl", "harm reduction and a needle exchange"),
    ("rsmh", "low mood, would like to talk to someone"),
    ("nurse_prescriber", "wound care at the drop-in"),
];

const AREAS: [(&str, u32); 4] = [
    ("york_road", 45),
    ("ambleside_drive", 35),
    ("town_centre", 10),
    ("seafront", 10),
];

/// One evening of the plan.
#[derive(Debug, Clone)]
pub struct Evening {
    pub day: NaiveDate,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The round still going on now.
    pub tonight: bool,
}

/// The week, fixed before anything runs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub now: Timestamp,
    pub evenings: Vec<Evening>,
    pub seed: u64,
}

fn at_local(day: NaiveDate, h: u32, m: u32) -> Timestamp {
    time::from_local(day.and_hms_opt(h, m, 0).unwrap_or_default())
}

impl Plan {
    /// `days` evenings ending with tonight's (the round `now` belongs to).
    pub fn new(now: Timestamp, days: u32, seed: u64) -> Plan {
        let today = time::round_of(now);
        let evenings = (0..days)
            .rev()
            .filter_map(|back| {
                let day = today.checked_sub_signed(Duration::days(i64::from(back)))?;
                if back > 0 {
                    return Some(Evening {
                        day,
                        start: at_local(day, 18, 30),
                        end: at_local(day, 23, 30),
                        tonight: false,
                    });
                }
                let end = now - Duration::minutes(2);
                let start = at_local(day, 18, 0)
                    .min(end - Duration::hours(1))
                    .max(time::round_start(day));
                Some(Evening {
                    day,
                    start,
                    end: end.max(start),
                    tonight: true,
                })
            })
            .collect();
        Plan {
            now,
            evenings,
            seed,
        }
    }

    /// When the phones are enrolled: an hour before the first round.
    pub fn first_moment(&self) -> Timestamp {
        self.evenings
            .first()
            .map_or(self.now, |e| e.start - Duration::hours(1))
            .min(self.now)
    }
}

/// What the week produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub evenings: usize,
    pub contacts: usize,
    pub women: usize,
    pub referrals: usize,
    pub overdue: usize,
    pub alerts: usize,
    pub syncs: usize,
}

/// A woman in the story.
struct Woman {
    alias: &'static str,
    /// Chance of being met on a given evening.
    regular: f64,
    /// The first evening (index) she can be met.
    from: usize,
    /// The last evening she is met (she then stops being seen).
    until: Option<usize>,
    /// She consents to the police seeing her records.
    police: bool,
    id: Option<Uuid>,
    consented_police: bool,
    referred: HashSet<&'static str>,
}

fn cast(aliases: &[&'static str], evenings: usize, rng: &mut Rng) -> Vec<Woman> {
    aliases
        .iter()
        .enumerate()
        .map(|(i, alias)| Woman {
            alias,
            // Those who stop being seen were met often before.
            regular: if i % 9 == 1 {
                0.95
            } else {
                *rng.pick(&[0.2, 0.35, 0.5, 0.65, 0.8])
            },
            from: if i % 7 == 3 {
                rng.below(evenings as u64) as usize
            } else {
                0
            },
            // Three women stop being seen early in the week: the people page
            // flags them.
            until: (i % 9 == 1 && evenings > 4).then_some(1),
            police: i % 8 == 2,
            id: None,
            consented_police: false,
            referred: HashSet::new(),
        })
        .collect()
}

struct Sim<'a> {
    demo: &'a Demo,
    /// The plan's "now": the phones' clock never passes it.
    now: Timestamp,
    rng: Rng,
    summary: Summary,
    women_seen: HashSet<Uuid>,
    bar: ProgressBar,
}

impl Sim<'_> {
    fn phone(&self, name: &str) -> Result<&Phone> {
        self.demo
            .phone(name)
            .ok_or_else(|| demo_err("the cast", format!("no phone for {name}")))
    }

    fn set_clock(&self, t: Timestamp) {
        self.demo.clock.set(t.min(self.demo_now()));
    }

    fn demo_now(&self) -> Timestamp {
        self.now
    }

    fn sync(&mut self, name: &str) -> Result<()> {
        let phone = self.phone(name)?;
        phone
            .vault
            .sync(&sync_options())
            .map_err(|e| demo_err(&format!("{name}'s phone syncing"), e))?;
        self.summary.syncs += 1;
        Ok(())
    }

    fn supplies(&mut self, kind: ContactKind) -> Vec<SupplyLine> {
        let mut lines = Vec::new();
        let mut add = |rng: &mut Rng, id: &str, p: f64, q: (u64, u64)| {
            if rng.chance(p) {
                lines.push(SupplyLine {
                    item_id: id.into(),
                    quantity: u32::try_from(rng.between(q.0, q.1)).unwrap_or(1),
                });
            }
        };
        let r = &mut self.rng;
        if kind == ContactKind::PoliceWelfareCheck {
            add(r, "personal_alarm", 0.3, (1, 1));
            add(r, "leaflet", 0.4, (1, 1));
            return lines;
        }
        add(r, "condoms", 0.7, (5, 20));
        add(r, "lubricant", 0.4, (1, 4));
        add(r, "food_drink", 0.55, (1, 2));
        add(r, "hygiene_pack", 0.15, (1, 1));
        add(r, "leaflet", 0.2, (1, 2));
        add(r, "personal_alarm", 0.05, (1, 1));
        add(r, "naloxone", 0.06, (1, 1));
        add(r, "phone_credit", 0.05, (1, 1));
        add(r, "clothing", 0.08, (1, 2));
        lines
    }

    fn wellbeing(&mut self, first: bool) -> Vec<WellbeingFlag> {
        let mut flags = Vec::new();
        if first {
            flags.push(WellbeingFlag::FirstContact);
        }
        for (flag, p) in [
            (WellbeingFlag::Intoxicated, 0.15),
            (WellbeingFlag::Distressed, 0.12),
            (WellbeingFlag::Unwell, 0.06),
            (WellbeingFlag::Injured, 0.03),
        ] {
            if self.rng.chance(p) {
                flags.push(flag);
            }
        }
        flags
    }

    /// One outreach contact with a woman (her profile made on first meeting).
    fn meet(&mut self, worker: &str, w: &mut Woman, at: Timestamp) -> Result<()> {
        self.set_clock(at);
        let vault = self.phone(worker)?.vault.clone();
        let first = w.id.is_none();
        let id = match w.id {
            Some(id) => id,
            None => {
                let p = vault
                    .add_person(PersonDraft {
                        alias: w.alias.into(),
                        registered_with_outreach: self.rng.chance(0.6),
                        prefers_female_worker: self.rng.chance(0.5),
                        key_worker: self.rng.chance(0.4).then(|| worker.to_owned()),
                        ..Default::default()
                    })
                    .map_err(|e| demo_err("adding a person", e))?;
                w.id = Some(p.id);
                p.id
            }
        };
        let kind = ContactKind::OutreachConversation;
        let supplies = self.supplies(kind);
        let wellbeing = self.wellbeing(first);
        let note = self
            .rng
            .chance(0.3)
            .then(|| (*self.rng.pick(&NOTES)).to_owned());
        let area = (*self.rng.weighted(&AREAS)).to_owned();
        vault
            .record_contact(ContactDraft {
                person_id: Some(id),
                at: None,
                area_id: area,
                kind,
                wellbeing,
                note,
                supplies,
                safeguarding_acknowledged: false,
            })
            .map_err(|e| demo_err("recording a contact", e))?;
        self.summary.contacts += 1;
        self.women_seen.insert(id);
        if w.police && !w.consented_police {
            vault
                .record_consent(ConsentDraft {
                    person_id: id,
                    agency_ids: vec!["essex_police".into()],
                    method: ConsentMethod::Verbal,
                    covers: vec![InfoCategory::Safety, InfoCategory::ContactHistory],
                    review_at: None,
                })
                .map_err(|e| demo_err("recording a consent", e))?;
            w.consented_police = true;
        }
        if self.rng.chance(0.22) {
            let mut agencies: Vec<&'static str> = Vec::new();
            for _ in 0..self.rng.between(1, 2) {
                let (a, _) = *self.rng.pick(&NEEDS);
                if !agencies.contains(&a) && !w.referred.contains(a) {
                    agencies.push(a);
                }
            }
            if !agencies.is_empty() {
                let needs = agencies
                    .iter()
                    .filter_map(|a| NEEDS.iter().find(|(x, _)| x == a).map(|(_, n)| *n))
                    .collect::<Vec<_>>()
                    .join("; ");
                let urgency = *self.rng.weighted(&[
                    (Urgency::Red, 3),
                    (Urgency::Amber, 4),
                    (Urgency::Green, 3),
                ]);
                let made = vault
                    .submit_referral_form(ReferralForm {
                        person_id: id,
                        agency_ids: agencies.iter().map(|a| (*a).to_owned()).collect(),
                        urgency,
                        needs,
                        consent_method: ConsentMethod::Verbal,
                        consent_covers: vec![InfoCategory::ContactDetails, InfoCategory::Housing],
                        consent_review_at: None,
                    })
                    .map_err(|e| demo_err("making a referral", e))?;
                self.summary.referrals += made.len();
                w.referred.extend(agencies);
            }
        }
        Ok(())
    }

    /// An anonymous or consenting woman met by the police officer.
    fn welfare_check(&mut self, at: Timestamp, known: Option<Uuid>) -> Result<()> {
        self.set_clock(at);
        let vault = self.phone("PC Hart")?.vault.clone();
        let person = known.filter(|id| vault.person(*id).is_ok());
        let supplies = self.supplies(ContactKind::PoliceWelfareCheck);
        let wellbeing = self.wellbeing(false);
        vault
            .record_contact(ContactDraft {
                person_id: person,
                at: None,
                area_id: "ambleside_drive".into(),
                kind: ContactKind::PoliceWelfareCheck,
                wellbeing,
                note: None,
                supplies,
                safeguarding_acknowledged: false,
            })
            .map_err(|e| demo_err("recording a welfare check", e))?;
        self.summary.contacts += 1;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn concern(
        &mut self,
        worker: &str,
        at: Timestamp,
        category: ConcernCategory,
        severity: Severity,
        area: &str,
        description: &str,
        vehicle: Option<Vehicle>,
        alert_days: Option<i64>,
    ) -> Result<()> {
        self.set_clock(at);
        let now = self.demo.clock_now();
        let vault = self.phone(worker)?.vault.clone();
        vault
            .raise_concern(ConcernDraft {
                category,
                description: description.into(),
                vehicle,
                area_id: area.into(),
                at: None,
                severity,
                alert_until: alert_days.map(|d| now + Duration::days(d)),
                police_consent: true,
                reported_by: None,
            })
            .map_err(|e| demo_err("raising a concern", e))?;
        if alert_days.is_some() {
            self.summary.alerts += 1;
        }
        Ok(())
    }

    /// Sam and Priya each go out on a lone-worker round with the other as
    /// buddy, checking in every half hour; tonight Priya's is still open
    /// (ADR 0004). Rounds reach the server at the end-of-round sync.
    fn rounds(&mut self, e: &Evening) -> Result<()> {
        for (worker, buddy, area) in [
            ("Sam", "Priya", "york_road"),
            ("Priya", "Sam", "ambleside_drive"),
        ] {
            self.set_clock(e.start);
            let vault = self.phone(worker)?.vault.clone();
            let buddy = self.phone(buddy)?;
            let buddy = TeamMember {
                worker_id: buddy.worker_id.clone(),
                display_name: buddy.name.clone(),
                role: buddy.role,
            };
            let err = |what: &str| format!("{worker}'s round: {what}");
            let round = vault
                .start_round(RoundDraft {
                    expected_end: e.end.max(e.start) + Duration::minutes(30),
                    check_in_minutes: Some(30),
                    buddy: Some(buddy),
                    area_id: Some(area.into()),
                })
                .map_err(|x| demo_err(&err("starting"), x))?;
            let mut t = e.start + Duration::minutes(25);
            while t < e.end {
                self.set_clock(t);
                vault
                    .check_in(round.id)
                    .map_err(|x| demo_err(&err("checking in"), x))?;
                t += Duration::minutes(self.rng.between(20, 28) as i64);
            }
            if e.tonight && worker == "Priya" {
                // Still out: her last check-in was a minute ago.
                self.set_clock(e.end - Duration::minutes(1));
                vault
                    .check_in(round.id)
                    .map_err(|x| demo_err(&err("checking in"), x))?;
            } else {
                self.set_clock(e.end + Duration::minutes(5));
                vault
                    .end_round(round.id)
                    .map_err(|x| demo_err(&err("ending"), x))?;
            }
        }
        Ok(())
    }

    /// The STARS duty desk's morning: acknowledge most new referrals, accept
    /// most acknowledged ones.
    fn stars_morning(&mut self, at: Timestamp) -> Result<()> {
        self.set_clock(at);
        self.sync("STARS duty desk")?;
        let vault = self.phone("STARS duty desk")?.vault.clone();
        let open = vault
            .open_referrals()
            .map_err(|e| demo_err("reading referrals", e))?;
        let mut moved = false;
        for r in open {
            let to = match r.referral.status {
                ReferralStatus::Queued | ReferralStatus::Sent if self.rng.chance(0.7) => {
                    ReferralStatus::Acknowledged
                }
                ReferralStatus::Acknowledged if self.rng.chance(0.6) => ReferralStatus::Accepted,
                _ => continue,
            };
            vault
                .set_referral_status(r.referral.id, to)
                .map_err(|e| demo_err("answering a referral", e))?;
            moved = true;
        }
        if moved {
            self.sync("STARS duty desk")?;
        }
        Ok(())
    }
}

impl Demo {
    fn clock_now(&self) -> Timestamp {
        use nightround_core::clock::Clock;
        self.clock.now()
    }
}

/// Times spread evenly through `start..end`.
fn spread(start: Timestamp, end: Timestamp, n: usize) -> Vec<Timestamp> {
    let span = end - start;
    (1..=n)
        .map(|k| start + span * i32::try_from(k).unwrap_or(1) / i32::try_from(n + 1).unwrap_or(1))
        .collect()
}

fn bar(len: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("  {spinner} [{bar:32}] {pos}/{len} {wide_msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs the plan on the demo's phones.
pub fn simulate(demo: &mut Demo, plan: &Plan, progress: bool) -> Result<Summary> {
    let n = plan.evenings.len();
    let mut sim = Sim {
        demo,
        now: plan.now,
        rng: Rng::new(plan.seed),
        summary: Summary {
            evenings: n,
            ..Summary::default()
        },
        women_seen: HashSet::new(),
        bar: bar((n * 4 + 1) as u64, progress),
    };
    let mut aspirations = cast(&ASPIRATIONS_ALIASES, n, &mut sim.rng);
    let mut vineyard = cast(&VINEYARD_ALIASES, n, &mut sim.rng);
    for w in &mut vineyard {
        w.police = false;
    }
    let police_day = |d: NaiveDate| {
        matches!(
            d.weekday(),
            Weekday::Mon | Weekday::Wed | Weekday::Fri | Weekday::Sat
        )
    };
    let vineyard_day = |d: NaiveDate| matches!(d.weekday(), Weekday::Tue | Weekday::Fri);

    for (i, e) in plan.evenings.iter().enumerate() {
        let label = time::day(e.start);
        let out_police = police_day(e.day) || e.tonight;
        let out_vineyard = vineyard_day(e.day);
        let mut out: Vec<&str> = vec!["Sam", "Priya"];
        if out_vineyard {
            out.push("Jo");
        }
        if out_police {
            out.push("PC Hart");
        }

        sim.bar
            .set_message(format!("{label}: phones sync as the round begins"));
        sim.set_clock(e.start - Duration::minutes(15));
        for name in &out {
            sim.sync(name)?;
        }
        sim.bar.inc(1);

        if e.end > e.start {
            sim.bar.set_message(format!("{label}: the round"));
            // The drop box on York Road is topped up first.
            sim.set_clock(e.start + Duration::minutes(5));
            sim.phone("Sam")?
                .vault
                .record_supplies(SupplyDropDraft {
                    at: None,
                    area_id: "york_road".into(),
                    purpose: SupplyPurpose::RestockDropPoint,
                    lines: vec![
                        SupplyLine {
                            item_id: "condoms".into(),
                            quantity: 40,
                        },
                        SupplyLine {
                            item_id: "lubricant".into(),
                            quantity: 20,
                        },
                    ],
                })
                .map_err(|err| demo_err("restocking the drop box", err))?;

            // Aspirations: who is met tonight, shared between Sam and Priya.
            let met: Vec<usize> = (0..aspirations.len())
                .filter(|&k| {
                    let w = &aspirations[k];
                    w.from <= i && w.until.is_none_or(|u| i <= u)
                })
                .collect();
            let mut tonight_met = Vec::new();
            for k in met {
                let p = aspirations[k].regular * if e.tonight { 0.5 } else { 1.0 };
                if sim.rng.chance(p) {
                    tonight_met.push(k);
                }
            }
            sim.rng.shuffle(&mut tonight_met);
            let (sam, priya): (Vec<_>, Vec<_>) = tonight_met
                .iter()
                .enumerate()
                .partition(|(j, _)| j % 2 == 0);
            for (worker, list) in [("Sam", sam), ("Priya", priya)] {
                let times = spread(e.start + Duration::minutes(10), e.end, list.len());
                for ((_, &k), t) in list.into_iter().zip(times) {
                    sim.meet(worker, &mut aspirations[k], t)?;
                }
            }

            if out_vineyard {
                let mut met: Vec<usize> = (0..vineyard.len())
                    .filter(|&k| vineyard[k].from <= i && sim.rng.chance(vineyard[k].regular))
                    .collect();
                sim.rng.shuffle(&mut met);
                let times = spread(e.start, e.end, met.len());
                for (k, t) in met.into_iter().zip(times) {
                    sim.meet("Jo", &mut vineyard[k], t)?;
                }
            }

            if out_police {
                let checks = sim.rng.between(1, 3) as usize;
                let consenting: Vec<Uuid> = aspirations
                    .iter()
                    .filter(|w| w.consented_police)
                    .filter_map(|w| w.id)
                    .collect();
                for t in spread(e.start, e.end, checks) {
                    let known = if consenting.is_empty() || sim.rng.chance(0.5) {
                        None
                    } else {
                        Some(*sim.rng.pick(&consenting))
                    };
                    sim.welfare_check(t, known)?;
                }
            }

            sim.rounds(e)?;

            // Concerns: a few become team alerts for every phone.
            let mid = e.start + (e.end - e.start) / 2;
            match n - 1 - i {
                5 => sim.concern(
                    "Priya",
                    mid,
                    ConcernCategory::DangerousVehicle,
                    Severity::High,
                    "ambleside_drive",
                    "Silver estate car circling slowly, driver tried to get a woman in; \
                     she got away. Warn others.",
                    Some(Vehicle {
                        make: Some("estate car".into()),
                        colour: Some("silver".into()),
                        partial_registration: Some("EX1".into()),
                    }),
                    Some(10),
                )?,
                3 => sim.concern(
                    "Sam",
                    mid,
                    ConcernCategory::PhysicalViolence,
                    Severity::Medium,
                    "york_road",
                    "A woman was pushed and had her bag taken near the underpass.",
                    None,
                    Some(2),
                )?,
                2 if out_police => sim.concern(
                    "PC Hart",
                    mid,
                    ConcernCategory::Threats,
                    Severity::Medium,
                    "town_centre",
                    "Man in a grey hoodie making threats to women near the station.",
                    None,
                    Some(4),
                )?,
                0 => sim.concern(
                    "Sam",
                    mid,
                    ConcernCategory::Other,
                    Severity::Low,
                    "seafront",
                    "Someone shouting at women from a white van; no one hurt.",
                    None,
                    None,
                )?,
                _ => {}
            }
        }
        sim.bar.inc(1);

        sim.bar
            .set_message(format!("{label}: phones sync at the end of the round"));
        sim.set_clock(e.end + Duration::minutes(10));
        for name in &out {
            sim.sync(name)?;
        }
        sim.bar.inc(1);

        if !e.tonight {
            sim.bar
                .set_message(format!("{label}: the morning after, STARS answers"));
            let morning = e.day.succ_opt().map(|d| at_local(d, 10, 30));
            if let Some(m) = morning {
                sim.stars_morning(m)?;
            }
        }
        sim.bar.inc(1);
    }

    // Back to the present: every phone syncs once more.
    sim.bar.set_message("every phone syncs now");
    sim.demo.clock.set(plan.now);
    let names: Vec<String> = sim.demo.phones.iter().map(|p| p.name.clone()).collect();
    for name in &names {
        sim.sync(name)?;
    }
    sim.bar.inc(1);
    sim.bar.finish_and_clear();

    let overdue = sim
        .phone("Sam")?
        .vault
        .open_referrals()
        .map_err(|err| demo_err("reading referrals", err))?
        .iter()
        .filter(|r| r.referral.is_overdue(plan.now))
        .count();
    sim.summary.overdue = overdue;
    sim.summary.women = sim.women_seen.len();
    Ok(sim.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_ends_with_tonight_and_keeps_times_in_the_past() {
        for hour in [0, 9, 12, 13, 19, 23] {
            let now = chrono::DateTime::parse_from_rfc3339(&format!("2025-11-28T{hour:02}:17:00Z"))
                .unwrap()
                .with_timezone(&chrono::Utc);
            let plan = Plan::new(now, 7, 1);
            assert_eq!(plan.evenings.len(), 7);
            let last = plan.evenings.last().unwrap();
            assert!(last.tonight);
            assert_eq!(last.day, time::round_of(now));
            for e in &plan.evenings {
                assert!(e.start <= e.end && e.end <= now, "{hour}: {e:?}");
                assert!(
                    time::round_of(e.start) == e.day || e.start == e.end,
                    "{hour}: {e:?}"
                );
            }
            assert!(plan.first_moment() <= plan.evenings[0].start);
        }
    }
}
