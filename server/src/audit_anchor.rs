//! Anchoring the audit chain: the chain's MAC shows an edited entry, but
//! deleting the newest entries leaves a shorter chain that still verifies.
//! A supervisor exports the head (sequence number and chain value) and keeps
//! it outside the server; verifying against that anchor detects a chain
//! cut short, or rewritten, behind it.

use crate::store::dashboard::DashboardStore;
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

/// The chain's head at one moment, to keep outside the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    pub seq: u64,
    /// The chain value of entry `seq`, hex.
    pub head: String,
}

/// What verification against an anchor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum AnchorCheck {
    /// The chain verifies, and the anchored entry is there with its value.
    Intact { entries: u64 },
    /// An entry's value does not follow from the ones before it.
    Edited { first_broken: u64 },
    /// The anchored entry is gone: the newest entries were cut off.
    Truncated {
        anchor_seq: u64,
        newest_seq: Option<u64>,
    },
    /// The anchored entry is there with another value: the chain was
    /// rebuilt.
    Replaced { anchor_seq: u64 },
}

/// The current head, or `None` for an empty chain.
pub fn export_anchor(store: &dyn DashboardStore) -> Result<Option<AuditAnchor>, StoreError> {
    let newest = store.audit_entries(1, None)?;
    Ok(newest
        .into_iter()
        .next()
        .and_then(|e| e.mac.map(|head| AuditAnchor { seq: e.seq, head })))
}

/// Verifies the chain and that it still reaches `anchor` unchanged.
pub fn verify_against(
    store: &dyn DashboardStore,
    anchor: &AuditAnchor,
) -> Result<AnchorCheck, StoreError> {
    let v = store.verify_audit()?;
    if let Some(first_broken) = v.first_broken {
        return Ok(AnchorCheck::Edited { first_broken });
    }
    let at = store.audit_entries(1, Some(anchor.seq.saturating_add(1)))?;
    match at.into_iter().next() {
        Some(e) if e.seq == anchor.seq => {
            if e.mac.as_deref() == Some(anchor.head.as_str()) {
                Ok(AnchorCheck::Intact { entries: v.entries })
            } else {
                Ok(AnchorCheck::Replaced {
                    anchor_seq: anchor.seq,
                })
            }
        }
        _ => Ok(AnchorCheck::Truncated {
            anchor_seq: anchor.seq,
            newest_seq: store.audit_entries(1, None)?.first().map(|e| e.seq),
        }),
    }
}
