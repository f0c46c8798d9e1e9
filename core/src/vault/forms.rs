//! What the forms offer and default to, decided once here for Android, iOS
//! and the command-line device alike.

use super::Vault;
use crate::domain::validation::TextField;
use crate::domain::{Area, ContactKind, ReferralStatus, Role, SupplyItem, WellbeingFlag};
use crate::error::Result;
use crate::Timestamp;
use chrono::{Duration, FixedOffset, TimeZone, Timelike};

/// The quick-contact screen: its choices and defaults for this worker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct QuickContactForm {
    /// In the directory's order.
    pub areas: Vec<Area>,
    /// The area of her last contact, if it is still in the list.
    pub default_area_id: Option<String>,
    /// The kinds her role may record, the default first.
    pub kinds: Vec<ContactKind>,
    pub default_kind: ContactKind,
    pub supplies: Vec<SupplyItem>,
    pub wellbeing: Vec<WellbeingFlag>,
    pub note_max_chars: u32,
}

const ALL_KINDS: [ContactKind; 4] = [
    ContactKind::OutreachConversation,
    ContactKind::PoliceWelfareCheck,
    ContactKind::DropInVisit,
    ContactKind::Phone,
];

/// The kinds of contact a role records, its usual one first.
pub fn contact_kinds_for(role: Role) -> Vec<ContactKind> {
    ALL_KINDS
        .into_iter()
        .filter(|k| k.allowed_for(role))
        .collect()
}

/// Where "tonight" starts: the most recent local noon, so that a round that
/// runs past midnight is one round. `utc_offset_minutes` is the phone's.
pub fn round_start(now: Timestamp, utc_offset_minutes: i32) -> Timestamp {
    // Offsets are clamped to what exists (±18 h), so this is always valid.
    let Some(offset) = FixedOffset::east_opt(utc_offset_minutes.clamp(-18 * 60, 18 * 60) * 60)
    else {
        return now;
    };
    let local = now.with_timezone(&offset);
    let noon_today = local
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .and_then(|n| offset.from_local_datetime(&n).single())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now);
    if local.hour() >= 12 {
        noon_today
    } else {
        noon_today - Duration::days(1)
    }
}

/// The statuses a referral may move to next, in the order a screen offers
/// them.
pub fn next_statuses(status: ReferralStatus) -> Vec<ReferralStatus> {
    use ReferralStatus::*;
    [Queued, Sent, Acknowledged, Accepted, Declined, Closed]
        .into_iter()
        .filter(|to| status.can_move_to(*to))
        .collect()
}

impl Vault {
    /// The quick-contact form for the enrolled worker.
    pub fn quick_contact_form(&self) -> Result<QuickContactForm> {
        self.with_session(|_, s, _| {
            let kinds = contact_kinds_for(s.identity.role);
            let last = s
                .prefs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .last_area_id
                .clone();
            Ok(QuickContactForm {
                default_area_id: last.filter(|a| s.directory.area(a).is_some()),
                areas: s.directory.areas.clone(),
                default_kind: kinds
                    .first()
                    .copied()
                    .unwrap_or(ContactKind::OutreachConversation),
                kinds,
                supplies: s.directory.supplies.clone(),
                wellbeing: vec![
                    WellbeingFlag::FirstContact,
                    WellbeingFlag::Distressed,
                    WellbeingFlag::Intoxicated,
                    WellbeingFlag::Injured,
                    WellbeingFlag::Unwell,
                    WellbeingFlag::AppearsUnder18,
                ],
                note_max_chars: TextField::Note.max_chars() as u32,
            })
        })
    }
}

/// A server address she typed or scanned: an `https://` (or, for a test
/// server, `http://`) URL with a host. Refused before it is kept, so a typo
/// cannot make later syncs report figures from nowhere.
pub fn check_server_url(text: &str) -> Result<(), crate::domain::ValidationError> {
    match url::Url::parse(text.trim()) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Ok(()),
        _ => Err(crate::domain::ValidationError::NotAUrl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    #[test]
    fn a_round_runs_from_noon_to_noon_local_time() {
        // 01:30 in London (GMT) belongs to yesterday's round.
        assert_eq!(
            round_start(at("2026-11-24T01:30:00Z"), 0),
            at("2026-11-23T12:00:00Z")
        );
        assert_eq!(
            round_start(at("2026-11-23T21:00:00Z"), 0),
            at("2026-11-23T12:00:00Z")
        );
        // In summer (BST, +60) noon is 11:00 UTC.
        assert_eq!(
            round_start(at("2026-07-01T22:00:00Z"), 60),
            at("2026-07-01T11:00:00Z")
        );
        assert_eq!(
            round_start(at("2026-07-01T10:30:00Z"), 60),
            at("2026-06-30T11:00:00Z")
        );
    }

    #[test]
    fn roles_and_statuses() {
        assert_eq!(
            contact_kinds_for(Role::PoliceOfficer),
            vec![ContactKind::PoliceWelfareCheck]
        );
        assert_eq!(
            contact_kinds_for(Role::OutreachWorker)[0],
            ContactKind::OutreachConversation
        );
        assert!(!contact_kinds_for(Role::OutreachWorker).contains(&ContactKind::PoliceWelfareCheck));
        assert!(contact_kinds_for(Role::ReceivingAgency).is_empty());
        assert_eq!(
            next_statuses(ReferralStatus::Sent),
            vec![
                ReferralStatus::Acknowledged,
                ReferralStatus::Accepted,
                ReferralStatus::Declined,
                ReferralStatus::Closed
            ]
        );
        assert!(next_statuses(ReferralStatus::Closed).is_empty());
    }
}
