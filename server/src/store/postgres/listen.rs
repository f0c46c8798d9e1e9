//! The live channel's bell across processes: each server process keeps one
//! connection that `LISTEN`s on `nightround_urgent` (notified by a trigger
//! whenever an urgent record is stored, by any process) and rings its own
//! bell, so a phone waiting on one process hears a help call pushed to
//! another at once. A dropped connection is remade after a second.

use std::future::poll_fn;
use std::time::Duration;
use tokio_postgres::{AsyncMessage, NoTls};

/// The channel the schema's trigger notifies.
pub const URGENT_CHANNEL: &str = "nightround_urgent";

/// Listens until the runtime stops, calling `ring` on every notification
/// (and once after each reconnection, in case one was missed meanwhile).
pub async fn listen(url: String, ring: impl Fn() + Send + Sync + 'static) {
    loop {
        match tokio_postgres::connect(&url, NoTls).await {
            Ok((client, mut connection)) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    while let Some(msg) = poll_fn(|cx| connection.poll_message(cx)).await {
                        match msg {
                            Ok(AsyncMessage::Notification(_)) => {
                                if tx.send(()).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the urgent-record listener lost its connection");
                                break;
                            }
                        }
                    }
                });
                if let Err(e) = client
                    .batch_execute(&format!("LISTEN {URGENT_CHANNEL}"))
                    .await
                {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    ring();
                    while rx.recv().await.is_some() {
                        ring();
                    }
                }
                driver.abort();
            }
            Err(e) => tracing::warn!(error = %e, "the urgent-record listener cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
