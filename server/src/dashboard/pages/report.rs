//! `GET /report`: the board's figures for a period (the Violence and
//! Vulnerability Board): women in contact, new contacts, referrals made,
//! accepted and overdue per agency, supplies, alerts; SVG charts; each table
//! as CSV (`/report/{table}.csv`); a printable page (`/report/print`).
//! Supervisors only, and only from what their role may see.

use super::{html, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::charts::{self, Bar};
use crate::dashboard::data::{snake_words, Visible};
use crate::dashboard::{csv, time, DashError, DashboardState};
use crate::store::dashboard::{ContactTally, NewAuditEntry, Scope, SupplyTally};
use crate::store::links::PartnershipWomen;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use nightround_core::domain::{CheckInKind, RecordKind, ReferralStatus, Urgency};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// The longest period a report covers.
const MAX_DAYS: i64 = 366;
/// The default period: the last four weeks.
const DEFAULT_DAYS: i64 = 28;

#[derive(Debug, Default, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// One table of the report, as shown and as exported.
pub struct Table {
    pub id: &'static str,
    pub title: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// Which columns are numbers (right-aligned).
    pub numeric: Vec<bool>,
}

impl Table {
    pub fn is_numeric(&self, i: &usize) -> bool {
        self.numeric.get(*i).copied().unwrap_or(false)
    }
}

pub struct Chart {
    pub title: &'static str,
    pub svg: String,
}

/// The whole report.
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    from: String,
    to: String,
    query: String,
    tables: Vec<Table>,
    charts: Vec<Chart>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "report_print.html")]
struct PrintPage {
    organisation: String,
    from: String,
    to: String,
    printed: String,
    tables: Vec<Table>,
    charts: Vec<Chart>,
}

fn parse_day(s: Option<&str>) -> Result<Option<NaiveDate>, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            // Years far from now are mistakes, and would overflow the
            // arithmetic on dates below.
            .filter(|d| (2000..=2100).contains(&d.year()))
            .map(Some)
            .ok_or_else(|| "Dates are written like 2025-11-30.".to_owned()),
    }
}

/// The period asked for, or the default; the words say what was wrong.
fn period(p: &Period, today: NaiveDate) -> (NaiveDate, NaiveDate, Option<String>) {
    let default = (today - chrono::Duration::days(DEFAULT_DAYS - 1), today);
    let parsed = parse_day(p.from.as_deref()).and_then(|f| Ok((f, parse_day(p.to.as_deref())?)));
    match parsed {
        Err(e) => (default.0, default.1, Some(e)),
        Ok((from, to)) => {
            let to = to.unwrap_or(today);
            let from = from.unwrap_or(to - chrono::Duration::days(DEFAULT_DAYS - 1));
            if from > to {
                (
                    default.0,
                    default.1,
                    Some("The start comes after the end.".into()),
                )
            } else if (to - from).num_days() >= MAX_DAYS {
                (
                    default.0,
                    default.1,
                    Some(format!("A report covers at most {MAX_DAYS} days.")),
                )
            } else {
                (from, to, None)
            }
        }
    }
}

fn n(x: usize) -> String {
    x.to_string()
}

/// The report's figures that come from the indexes, not from opened
/// records: contacts, supplies, referrals overdue now (the organisation's
/// own, [`crate::store::dashboard::Whose`]).
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub contacts: Vec<ContactTally>,
    pub supplies: Vec<SupplyTally>,
    /// Referrals overdue now, by agency id.
    pub overdue: BTreeMap<String, usize>,
}

/// Computes the report for `from..=to` (evening rounds, UK dates) from the
/// tallies and the period's opened records (`v`: concerns, rounds,
/// check-ins, and the profiles and referrals stored since `from`).
pub fn build(v: &Visible, t: &Tallies, from: NaiveDate, to: NaiveDate) -> Report {
    let within = |t| {
        let d = time::round_of(t);
        d >= from && d <= to
    };
    let contacts: Vec<&ContactTally> = t
        .contacts
        .iter()
        .filter(|c| c.round >= from && c.round <= to)
        .collect();
    let women: HashSet<_> = contacts.iter().filter_map(|c| c.person_id).collect();
    let new_people: Vec<_> = v
        .people
        .values()
        .filter(|p| within(p.body.created_at))
        .collect();
    let referrals: Vec<_> = v
        .referrals
        .iter()
        .filter(|r| within(r.body.created_at))
        .collect();
    let reached = |r: &nightround_core::domain::Referral, s: ReferralStatus| {
        r.status == s || r.history.iter().any(|h| h.status == s)
    };
    let accepted = referrals
        .iter()
        .filter(|r| reached(&r.body, ReferralStatus::Accepted))
        .count();
    let overdue_now: usize = t.overdue.values().sum();
    let alerts: Vec<_> = v
        .concerns
        .iter()
        .filter(|c| within(c.body.at) && c.body.alert_until.is_some())
        .collect();
    let concerns = v.concerns.iter().filter(|c| within(c.body.at)).count();
    let mut supplies: BTreeMap<String, u64> = BTreeMap::new();
    for s in t
        .supplies
        .iter()
        .filter(|s| s.round >= from && s.round <= to)
    {
        *supplies.entry(s.item_id.clone()).or_default() += s.quantity;
    }
    let supplies_total: u64 = supplies.values().sum();

    let summary = Table {
        id: "summary",
        title: "Summary",
        header: vec!["Measure", "Value"],
        numeric: vec![false, true],
        rows: vec![
            vec!["Women in contact".into(), n(women.len())],
            vec!["Contacts".into(), n(contacts.len())],
            vec![
                "New contacts (people first recorded)".into(),
                n(new_people.len()),
            ],
            vec!["Referrals made".into(), n(referrals.len())],
            vec!["Referrals accepted".into(), n(accepted)],
            vec!["Referrals overdue now".into(), n(overdue_now)],
            vec!["Concerns raised".into(), n(concerns)],
            vec!["Team alerts issued".into(), n(alerts.len())],
            vec!["Supplies handed out".into(), supplies_total.to_string()],
        ],
    };

    // Per agency, in directory order, only agencies with referrals.
    let mut agency_rows = Vec::new();
    let mut agency_bars = Vec::new();
    for a in &v.directory.agencies {
        let mine: Vec<_> = referrals
            .iter()
            .filter(|r| r.body.agency_id == a.id)
            .collect();
        let overdue = t.overdue.get(&a.id).copied().unwrap_or(0);
        if mine.is_empty() && overdue == 0 {
            continue;
        }
        let count = |s| mine.iter().filter(|r| reached(&r.body, s)).count();
        let red = mine
            .iter()
            .filter(|r| r.body.urgency == Urgency::Red)
            .count();
        agency_rows.push(vec![
            a.name.clone(),
            n(mine.len()),
            n(red),
            n(count(ReferralStatus::Acknowledged)),
            n(count(ReferralStatus::Accepted)),
            n(count(ReferralStatus::Declined)),
            n(overdue),
        ]);
        agency_bars.push(Bar::new(&a.name, mine.len() as u64));
    }
    let agencies = Table {
        id: "agencies",
        title: "Referrals by agency",
        header: vec![
            "Agency",
            "Made",
            "Of which red",
            "Acknowledged",
            "Accepted",
            "Declined",
            "Overdue now",
        ],
        numeric: vec![false, true, true, true, true, true, true],
        rows: agency_rows,
    };

    // Weeks (Monday starts) in the period.
    let mut weeks: BTreeMap<NaiveDate, (HashSet<uuid::Uuid>, usize, usize)> = BTreeMap::new();
    let mut w = time::week_of(from);
    while w <= to {
        weeks.insert(w, (HashSet::new(), 0, 0));
        w += chrono::Duration::weeks(1);
    }
    for c in &contacts {
        if let Some(e) = weeks.get_mut(&time::week_of(c.round)) {
            e.1 += 1;
            if let Some(p) = c.person_id {
                e.0.insert(p);
            }
        }
    }
    for p in &new_people {
        if let Some(e) = weeks.get_mut(&time::week_of(time::round_of(p.body.created_at))) {
            e.2 += 1;
        }
    }
    let week_bars: Vec<Bar> = weeks
        .iter()
        .map(|(d, e)| Bar::new(d.format("%-d %b").to_string(), e.0.len() as u64))
        .collect();
    let weeks_table = Table {
        id: "weeks",
        title: "Week by week",
        header: vec![
            "Week beginning",
            "Women in contact",
            "Contacts",
            "New contacts",
        ],
        numeric: vec![false, true, true, true],
        rows: weeks
            .iter()
            .map(|(d, e)| vec![d.to_string(), n(e.0.len()), n(e.1), n(e.2)])
            .collect(),
    };

    let supply_bars: Vec<Bar> = supplies
        .iter()
        .map(|(id, q)| Bar::new(v.supply_name(id), *q))
        .collect();
    let supplies_table = Table {
        id: "supplies",
        title: "Supplies handed out",
        header: vec!["Item", "Quantity"],
        numeric: vec![false, true],
        rows: supplies
            .iter()
            .map(|(id, q)| vec![v.supply_name(id), q.to_string()])
            .collect(),
    };

    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for c in v.concerns.iter().filter(|c| within(c.body.at)) {
        let e = by_category
            .entry(snake_words(&c.body.category))
            .or_default();
        e.0 += 1;
        e.1 += usize::from(c.body.alert_until.is_some());
    }
    let alerts_table = Table {
        id: "alerts",
        title: "Concerns and team alerts",
        header: vec!["What happened", "Concerns", "Of which team alerts"],
        numeric: vec![false, true, true],
        rows: by_category
            .into_iter()
            .map(|(k, (c, a))| vec![k, n(c), n(a)])
            .collect(),
    };

    // Worker safety (ADR 0004): rounds, check-ins, help calls, and how many
    // rounds the server had to raise.
    let rounds: Vec<_> = v
        .rounds
        .iter()
        .filter(|r| within(r.body.started_at))
        .collect();
    let check_ins = v
        .check_ins
        .iter()
        .filter(|c| within(c.body.made_at) && c.body.kind == CheckInKind::AllRight)
        .count();
    let help_calls = v
        .check_ins
        .iter()
        .filter(|c| within(c.body.made_at) && c.body.kind == CheckInKind::NeedHelp)
        .count();
    let raised = rounds.iter().filter(|r| r.body.watch.is_some()).count();
    let acknowledged = rounds
        .iter()
        .filter(|r| {
            r.body
                .watch
                .as_ref()
                .is_some_and(|w| w.acknowledged_at.is_some())
        })
        .count();
    let safety_table = Table {
        id: "safety",
        title: "Worker safety on rounds",
        header: vec!["Measure", "Value"],
        numeric: vec![false, true],
        rows: vec![
            vec!["Lone-worker rounds".into(), n(rounds.len())],
            vec!["Check-ins".into(), n(check_ins)],
            vec!["Help calls".into(), n(help_calls)],
            vec!["Rounds raised as missed".into(), n(raised)],
            vec![
                "Of which acknowledged by a supervisor".into(),
                n(acknowledged),
            ],
        ],
    };

    Report {
        from,
        to,
        charts: vec![
            Chart {
                title: "Women in contact each week",
                svg: charts::columns("chart-weeks", "Women in contact each week", &week_bars),
            },
            Chart {
                title: "Referrals made by agency",
                svg: charts::horizontal("chart-agencies", "Referrals made by agency", &agency_bars),
            },
            Chart {
                title: "Supplies handed out by item",
                svg: charts::horizontal(
                    "chart-supplies",
                    "Supplies handed out by item",
                    &supply_bars,
                ),
            },
        ],
        tables: vec![
            summary,
            agencies,
            weeks_table,
            supplies_table,
            alerts_table,
            safety_table,
        ],
    }
}

/// Women in contact with any organisation of the partnership in the
/// period, linked profiles counted once (issue 14): for the partnership
/// administrator only, since it counts beyond her organisation's sight.
async fn partnership_women(
    state: &DashboardState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PartnershipWomen, DashError> {
    let store = state.0.store.clone();
    crate::dashboard::blocking(move || {
        let within = move |t| {
            let d = time::round_of(t);
            d >= from && d <= to
        };
        Ok(store.partnership_women(&within)?)
    })
    .await
}

/// The partnership's rows, after the organisation's own "Women in contact".
pub fn add_partnership_total(report: &mut Report, total: PartnershipWomen) {
    if let Some(summary) = report.tables.iter_mut().find(|t| t.id == "summary") {
        summary.rows.insert(
            1,
            vec![
                "Women in contact across the partnership (linked profiles once)".into(),
                n(total.women),
            ],
        );
        summary.rows.insert(
            2,
            vec![
                "Profiles in contact across the partnership".into(),
                n(total.profiles),
            ],
        );
    }
}

async fn load(
    state: &DashboardState,
    who: &SignedIn,
    p: &Period,
) -> Result<(Report, Option<String>, Visible), DashError> {
    who.require_supervisor()?;
    let (from, to, problem) = period(p, time::round_of(state.now()));
    // Contacts, supplies and overdue referrals from the indexes; opened,
    // only the period's concerns, rounds, check-ins, and the profiles and
    // referrals stored since it began (new people and referrals made are
    // dated inside their sealed bodies).
    let v = Visible::load_scoped(
        state,
        who,
        vec![Scope::since_few(
            &[
                RecordKind::Concern,
                RecordKind::Round,
                RecordKind::CheckIn,
                RecordKind::Person,
                RecordKind::Referral,
            ],
            time::round_start(from),
        )],
    )
    .await?;
    let tallies = {
        let dash = state.0.dash.clone();
        let who = who.clone();
        let now = v.now;
        crate::dashboard::blocking(move || {
            let viewer = who.viewer();
            Ok(Tallies {
                contacts: dash.contact_tallies(&viewer, now, from, to)?,
                supplies: dash.supply_tallies(&viewer, now, from, to)?,
                overdue: dash.overdue_referrals(&viewer, now)?,
            })
        })
        .await?
    };
    let mut report = build(&v, &tallies, from, to);
    if who.partnership_admin {
        let total = partnership_women(state, from, to).await?;
        add_partnership_total(&mut report, total);
    }
    Ok((report, problem, v))
}

async fn audit(
    state: &DashboardState,
    who: &SignedIn,
    action: &str,
    what: String,
) -> Result<(), DashError> {
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: action.into(),
            subject: Some(what),
            detail: None,
        })
        .await
}

/// `GET /report`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(p): Query<Period>,
) -> Result<Response, DashError> {
    let (r, problem, _) = load(&state, &who, &p).await?;
    audit(
        &state,
        &who,
        "view_report",
        format!("{} to {}", r.from, r.to),
    )
    .await?;
    html(&ReportPage {
        chrome: Chrome::new(&who, "Board report", "/report"),
        query: format!("from={}&to={}", r.from, r.to),
        from: r.from.to_string(),
        to: r.to.to_string(),
        tables: r.tables,
        charts: r.charts,
        problem,
    })
}

/// `GET /report/print`
pub async fn print(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(p): Query<Period>,
) -> Result<Response, DashError> {
    let (r, _, v) = load(&state, &who, &p).await?;
    audit(
        &state,
        &who,
        "view_report",
        format!("{} to {} (print)", r.from, r.to),
    )
    .await?;
    html(&PrintPage {
        organisation: who.organisation.name.clone(),
        from: r.from.format("%-d %B %Y").to_string(),
        to: r.to.format("%-d %B %Y").to_string(),
        printed: time::day_hm(v.now),
        tables: r.tables,
        charts: r.charts,
    })
}

/// `GET /report/{table}.csv`
pub async fn csv(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(table): Path<String>,
    Query(p): Query<Period>,
) -> Result<Response, DashError> {
    let name = table.strip_suffix(".csv").ok_or(DashError::NotFound)?;
    let (r, _, _) = load(&state, &who, &p).await?;
    let t = r
        .tables
        .iter()
        .find(|t| t.id == name)
        .ok_or(DashError::NotFound)?;
    audit(
        &state,
        &who,
        "csv_export",
        format!("report {} {} to {}", t.id, r.from, r.to),
    )
    .await?;
    Ok(csv::download(
        &format!("nightround-{}-{}-to-{}.csv", t.id, r.from, r.to),
        csv::table(&t.header, &t.rows),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partnership_total_is_added_beside_the_organisations_own() {
        let mut r = Report {
            from: NaiveDate::MIN,
            to: NaiveDate::MAX,
            tables: vec![Table {
                id: "summary",
                title: "Summary",
                header: vec!["Measure", "Value"],
                numeric: vec![false, true],
                rows: vec![
                    vec!["Women in contact".into(), "24".into()],
                    vec!["Contacts".into(), "86".into()],
                ],
            }],
            charts: vec![],
        };
        add_partnership_total(
            &mut r,
            PartnershipWomen {
                profiles: 30,
                women: 28,
            },
        );
        let rows = &r.tables[0].rows;
        assert_eq!(rows[0], vec!["Women in contact".to_string(), "24".into()]);
        assert_eq!(rows[1][1], "28");
        assert!(rows[1][0].contains("across the partnership"));
        assert_eq!(rows[2][1], "30");
        assert_eq!(rows[3][1], "86");
    }

    #[test]
    fn periods() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let (f, t, p) = period(&Period::default(), today);
        assert_eq!((t - f).num_days(), DEFAULT_DAYS - 1);
        assert_eq!(t, today);
        assert!(p.is_none());
        let bad = Period {
            from: Some("30/11/2025".into()),
            to: None,
        };
        assert!(period(&bad, today).2.is_some());
        let far = Period {
            from: Some("-200000-01-01".into()),
            to: Some("9999-12-31".into()),
        };
        assert!(period(&far, today).2.is_some());
        let reversed = Period {
            from: Some("2025-11-30".into()),
            to: Some("2025-11-01".into()),
        };
        assert!(period(&reversed, today).2.is_some());
        let ok = Period {
            from: Some("2025-11-01".into()),
            to: Some("2025-11-07".into()),
        };
        let (f, t, p) = period(&ok, today);
        assert_eq!(f.to_string(), "2025-11-01");
        assert_eq!(t.to_string(), "2025-11-07");
        assert!(p.is_none());
    }
}
