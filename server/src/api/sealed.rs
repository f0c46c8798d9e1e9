//! `POST /v1/deliver-sealed`: changes a phone could no longer read, sealed to
//! the server's public key before its vault was shredded, and the quiet
//! report that the duress PIN was used (ADR 0003).
//!
//! Each entry is opened with the server's sealing secret, its associated
//! data rebuilt from the entry's kind, id and version; the change inside must
//! name the same three. Opened changes are then applied exactly as a push
//! from that device would be (same validation, same idempotency), so a
//! delivery replayed after a dropped connection changes nothing.

use super::auth::authenticate;
use super::body::read_request;
use super::error::ApiError;
use super::{blocking, AppState};
use crate::store::PushItem;
use crate::validate;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine;
use nightround_core::crypto::sealed_box::{change_aad, open_sealed};
use nightround_core::sync::protocol::{
    Ack, AckStatus, Change, PushResponse, SealedDelivery, SealedEntry, MAX_PUSH_CHANGES,
};

/// Opens one entry; `Err` carries the reason it is refused (never content).
fn open_entry(state: &AppState, entry: &SealedEntry) -> Result<Change, &'static str> {
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&entry.sealed)
        .map_err(|_| "the sealed copy is not base64")?;
    let id = entry.id.to_string();
    let aad = change_aad(entry.kind.as_str(), &id, &entry.version);
    let plain = open_sealed(&state.sealing, &aad, &sealed)
        .map_err(|_| "the sealed copy does not open with this server's key")?;
    let change: Change =
        serde_json::from_slice(&plain).map_err(|_| "the sealed copy is not a change")?;
    if change.kind != entry.kind || change.id != entry.id || change.version != entry.version {
        return Err("the sealed copy names another change");
    }
    Ok(change)
}

/// Applies the opened changes and records a duress report.
pub async fn deliver_sealed(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let req: SealedDelivery = read_request(&headers, body, "sealed delivery").await?;
    if req.entries.len() > MAX_PUSH_CHANGES {
        return Err(ApiError::too_large(format!(
            "a delivery carries at most {MAX_PUSH_CHANGES} changes"
        )));
    }
    let now = state.clock.now();
    let device = caller.device.id;
    if req.duress {
        // Quietly: the phone's answer is the same as for any delivery.
        tracing::warn!(%device, "the duress PIN was used on this device");
    }
    let mut refused: Vec<(usize, &'static str)> = Vec::new();
    let mut opened: Vec<(usize, Change)> = Vec::new();
    for (i, entry) in req.entries.iter().enumerate() {
        match open_entry(&state, entry) {
            Ok(c) => opened.push((i, c)),
            Err(reason) => refused.push((i, reason)),
        }
    }
    let store = state.store.clone();
    let duress = req.duress;
    let shredded = req.shredded;
    let applied = blocking(move || {
        if duress {
            store.report_duress(device, now)?;
        }
        let directory = store.directory()?;
        let identity = caller.identity();
        let writer = validate::Writer {
            viewer: caller.viewer(),
            identity: &identity,
            directory: &directory,
            now,
        };
        let items: Vec<PushItem<'_>> = opened
            .iter()
            .map(|(_, change)| PushItem {
                change,
                verdict: validate::check(change, &writer),
                // The phone could not read what it delivered: it pulls it back.
                held_by_device: false,
            })
            .collect();
        let acks = store.push(&caller, &items, now)?;
        if shredded {
            // The phone's vault is gone; this was its last word.
            store.revoke_device(device, now)?;
        }
        Ok(opened.iter().map(|(i, _)| *i).zip(acks).collect::<Vec<_>>())
    })
    .await?;
    let mut acks: Vec<(usize, Ack)> = applied;
    for (i, reason) in refused {
        let entry = &req.entries[i];
        tracing::warn!(%device, id = %entry.id, reason, "sealed change refused");
        acks.push((
            i,
            Ack {
                id: entry.id,
                version: entry.version.clone(),
                status: AckStatus::Rejected,
                reason: Some(reason.into()),
                code: Some(nightround_core::sync::protocol::RejectCode::Malformed),
            },
        ));
    }
    acks.sort_by_key(|(i, _)| *i);
    state.bell.ring();
    tracing::info!(%device, changes = acks.len(), duress, "sealed delivery");
    Ok(Json(PushResponse {
        acks: acks.into_iter().map(|(_, a)| a).collect(),
        server_time: now,
    }))
}
