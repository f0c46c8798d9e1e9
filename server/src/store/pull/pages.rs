//! Unconditional deliveries kept as one row per pull page (ADR 0019): the
//! sequence numbers a page sent a device through its own authorship or its
//! organisation, as runs (`"5-99,101-300"`), instead of one `deliveries` row
//! per record. `record_seqs` names the record and version behind every
//! sequence number ever given out, so a subject access request expands the
//! pages back into "this device received this record, first then, last
//! then", exactly as the per-record rows said it.

use crate::store::StoreError;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use uuid::Uuid;

/// The unconditional deliveries of one page, as `delivery_pages` keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredPage {
    pub device: String,
    /// The lowest and highest sequence number in the runs (inclusive).
    pub first_seq: u64,
    pub last_seq: u64,
    /// Sent through the viewer's organisation (`own_organisation`).
    pub organisation_runs: String,
    /// Sent because she wrote it (`own`).
    pub own_runs: String,
    pub at: Timestamp,
}

/// Collects the sequence numbers a page sends unconditionally, by route.
#[derive(Debug, Default)]
pub(super) struct PageCollector {
    organisation: Vec<u64>,
    own: Vec<u64>,
}

impl PageCollector {
    /// Notes `seq` as sent through `route` (`own` or `own_organisation`).
    pub(super) fn add(&mut self, seq: u64, own: bool) {
        if own {
            self.own.push(seq);
        } else {
            self.organisation.push(seq);
        }
    }

    /// The page row, or `None` when nothing went unconditionally.
    pub(super) fn finish(self, device: &str, at: Timestamp) -> Option<DeliveredPage> {
        let all = self.organisation.iter().chain(&self.own);
        let first_seq = *all.clone().min()?;
        let last_seq = *all.max()?;
        Some(DeliveredPage {
            device: device.to_owned(),
            first_seq,
            last_seq,
            organisation_runs: encode_runs(self.organisation),
            own_runs: encode_runs(self.own),
            at,
        })
    }
}

/// Sequence numbers as runs: `"5-99,101,103-110"`.
pub fn encode_runs(mut seqs: Vec<u64>) -> String {
    seqs.sort_unstable();
    seqs.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < seqs.len() {
        let start = seqs[i];
        let mut end = start;
        while i + 1 < seqs.len() && seqs[i + 1] == end + 1 {
            i += 1;
            end = seqs[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = if start == end {
            write!(out, "{start}")
        } else {
            write!(out, "{start}-{end}")
        };
        i += 1;
    }
    out
}

/// Whether `runs` (as [`encode_runs`] writes them) holds `seq`.
pub fn runs_contain(runs: &str, seq: u64) -> Result<bool, StoreError> {
    let bad = || StoreError::Corrupt("a delivered page's runs");
    for run in runs.split(',').filter(|r| !r.is_empty()) {
        let (a, b) = match run.split_once('-') {
            Some((a, b)) => (a, b),
            None => (run, run),
        };
        let a: u64 = a.parse().map_err(|_| bad())?;
        let b: u64 = b.parse().map_err(|_| bad())?;
        if (a..=b).contains(&seq) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One sequence number one of her records held (`record_seqs` joined to
/// `records`).
#[derive(Debug, Clone)]
pub struct HerSeq {
    pub seq: u64,
    pub record_id: Uuid,
    pub kind: RecordKind,
}

/// One `delivery_pages` row as read back.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub device: String,
    pub organisation_runs: String,
    pub own_runs: String,
    pub at: Timestamp,
}

/// One (device, record) pair expanded from the pages: why, first and last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub device: String,
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub route: &'static str,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// Which of `her` sequence numbers each page in `pages` sent, folded to one
/// entry per device and record (first and last time). `pages` may hold
/// pages that sent none of hers (the backend reads by range only).
pub fn expand(her: &[HerSeq], pages: &[PageRow]) -> Result<Vec<Expanded>, StoreError> {
    let mut out: BTreeMap<(String, Uuid, &'static str), Expanded> = BTreeMap::new();
    for page in pages {
        for s in her {
            let route = if runs_contain(&page.organisation_runs, s.seq)? {
                "own_organisation"
            } else if runs_contain(&page.own_runs, s.seq)? {
                "own"
            } else {
                continue;
            };
            out.entry((page.device.clone(), s.record_id, route))
                .and_modify(|e| {
                    e.first_at = e.first_at.min(page.at);
                    e.last_at = e.last_at.max(page.at);
                })
                .or_insert_with(|| Expanded {
                    device: page.device.clone(),
                    record_id: s.record_id,
                    kind: s.kind,
                    route,
                    first_at: page.at,
                    last_at: page.at,
                });
        }
    }
    Ok(out.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_round_trip() {
        let runs = encode_runs(vec![7, 3, 4, 5, 9, 10, 12, 4]);
        assert_eq!(runs, "3-5,7,9-10,12");
        for s in [3, 4, 5, 7, 9, 10, 12] {
            assert!(runs_contain(&runs, s).unwrap(), "{s}");
        }
        for s in [0, 2, 6, 8, 11, 13] {
            assert!(!runs_contain(&runs, s).unwrap(), "{s}");
        }
        assert_eq!(encode_runs(Vec::new()), "");
        assert!(!runs_contain("", 1).unwrap());
        assert!(runs_contain("x-2", 1).is_err());
    }

    #[test]
    fn expansion_keeps_first_and_last_per_device_and_record() {
        let r = Uuid::from_u128(7);
        let t = |s| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let her = [
            HerSeq {
                seq: 5,
                record_id: r,
                kind: RecordKind::Contact,
            },
            HerSeq {
                seq: 40,
                record_id: r,
                kind: RecordKind::Contact,
            },
        ];
        let page = |device: &str, runs: &str, at| PageRow {
            device: device.into(),
            organisation_runs: runs.into(),
            own_runs: String::new(),
            at,
        };
        let pages = [
            page("a", "1-10", t(100)),
            page("a", "11-39", t(200)),
            page("a", "40", t(300)),
            page("b", "1-4,6-50", t(150)),
        ];
        let got = expand(&her, &pages).unwrap();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].first_at, got[0].last_at), (t(100), t(300)));
        assert_eq!(got[1].device, "b");
        assert_eq!((got[1].first_at, got[1].last_at), (t(150), t(150)));
    }
}
