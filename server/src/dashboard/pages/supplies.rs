//! `GET /supplies`: harm-reduction supplies handed out or left (in contacts
//! and supply drops) by item and week, the last [`WEEKS`] weeks, with a
//! chart; `GET /supplies.csv` the same table.

use super::{html, require_sees, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::charts::{self, Bar};
use crate::dashboard::data::Visible;
use crate::dashboard::{blocking, csv, time, DashError, DashboardState};
use crate::store::dashboard::{NewAuditEntry, SupplyTally};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use nightround_core::domain::RecordKind;
use std::collections::HashMap;

/// Weeks shown.
pub const WEEKS: usize = 8;

pub struct ItemRow {
    pub name: String,
    pub cells: Vec<u64>,
    pub total: u64,
}

#[derive(Template)]
#[template(path = "supplies.html")]
struct SuppliesPage {
    chrome: Chrome,
    weeks: Vec<String>,
    rows: Vec<ItemRow>,
    totals: Vec<u64>,
    grand_total: u64,
    weekly_chart: String,
    items_chart: String,
}

/// The table: week starts (oldest first) and one row per catalogue item
/// with any quantity, in catalogue order.
/// The [`WEEKS`] weeks shown at `now`, oldest first.
fn weeks_at(now: nightround_core::Timestamp) -> Vec<NaiveDate> {
    let this_week = time::week_of(time::round_of(now));
    (0..WEEKS)
        .rev()
        .filter_map(|i| this_week.checked_sub_signed(chrono::Duration::weeks(i as i64)))
        .collect()
}

/// What the page reads: the supply index over the weeks shown (no record
/// opened), and the directory to name the items.
async fn load(state: &DashboardState, who: &SignedIn) -> Result<Visible, DashError> {
    Visible::load_scoped(state, who, Vec::new()).await
}

/// The supplies of the weeks shown, by week and item.
async fn tallies(
    state: &DashboardState,
    who: &SignedIn,
    now: nightround_core::Timestamp,
) -> Result<Vec<SupplyTally>, DashError> {
    let weeks = weeks_at(now);
    let from = weeks
        .first()
        .copied()
        .unwrap_or_else(|| time::round_of(now));
    let to = time::round_of(now);
    let dash = state.0.dash.clone();
    let who = who.clone();
    blocking(move || Ok(dash.supply_tallies(&who.viewer(), now, from, to)?)).await
}

pub fn by_item_and_week(v: &Visible, tallies: &[SupplyTally]) -> (Vec<NaiveDate>, Vec<ItemRow>) {
    let weeks = weeks_at(v.now);
    let mut sums: HashMap<(&str, NaiveDate), u64> = HashMap::new();
    for t in tallies {
        *sums
            .entry((t.item_id.as_str(), time::week_of(t.round)))
            .or_default() += t.quantity;
    }
    let mut ids: Vec<String> = v.directory.supplies.iter().map(|s| s.id.clone()).collect();
    let mut extra: Vec<String> = sums
        .keys()
        .map(|(id, _)| (*id).to_owned())
        .filter(|id| !ids.contains(id))
        .collect();
    extra.sort();
    extra.dedup();
    ids.extend(extra);
    let rows = ids
        .iter()
        .map(|id| {
            let cells: Vec<u64> = weeks
                .iter()
                .map(|w| sums.get(&(id.as_str(), *w)).copied().unwrap_or(0))
                .collect();
            ItemRow {
                name: v.supply_name(id),
                total: cells.iter().sum(),
                cells,
            }
        })
        .filter(|r| r.total > 0)
        .collect();
    (weeks, rows)
}

fn week_label(d: NaiveDate) -> String {
    d.format("w/c %-d %b").to_string()
}

/// `GET /supplies`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
) -> Result<Response, DashError> {
    require_sees(&who, RecordKind::SupplyDrop)?;
    let v = load(&state, &who).await?;
    let t = tallies(&state, &who, v.now).await?;
    let (weeks, rows) = by_item_and_week(&v, &t);
    let totals: Vec<u64> = (0..weeks.len())
        .map(|i| rows.iter().map(|r| r.cells[i]).sum())
        .collect();
    let weekly: Vec<Bar> = weeks
        .iter()
        .zip(&totals)
        .map(|(w, t)| Bar::new(w.format("%-d %b").to_string(), *t))
        .collect();
    let items: Vec<Bar> = rows.iter().map(|r| Bar::new(&r.name, r.total)).collect();
    html(&SuppliesPage {
        chrome: Chrome::new(&who, "Supplies", "/supplies"),
        weeks: weeks.iter().map(|w| week_label(*w)).collect(),
        grand_total: totals.iter().sum(),
        totals,
        weekly_chart: charts::columns("supplies-weekly", "Supplies handed out each week", &weekly),
        items_chart: charts::horizontal(
            "supplies-items",
            &format!("Supplies by item, last {WEEKS} weeks"),
            &items,
        ),
        rows,
    })
}

/// `GET /supplies.csv`
pub async fn csv(
    State(state): State<DashboardState>,
    who: SignedIn,
) -> Result<Response, DashError> {
    require_sees(&who, RecordKind::SupplyDrop)?;
    let v = load(&state, &who).await?;
    let t = tallies(&state, &who, v.now).await?;
    let (weeks, rows) = by_item_and_week(&v, &t);
    let mut header: Vec<String> = vec!["item".into()];
    header.extend(weeks.iter().map(|w| format!("week of {w}")));
    header.push("total".into());
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone()];
            row.extend(r.cells.iter().map(u64::to_string));
            row.push(r.total.to_string());
            row
        })
        .collect();
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "csv_export".into(),
            subject: Some("supplies".into()),
            detail: None,
        })
        .await?;
    Ok(csv::download(
        &format!("nightround-supplies-{}.csv", time::iso_day(v.now)),
        csv::table(&header_refs, &table),
    ))
}
