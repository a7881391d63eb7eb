//! Pushes to partners that asked to be told when the change feed has
//! something new for them (`[[webhooks]]`). A background task per
//! organization checks the feed as that organization's staff would read it
//! — the same policy, as SQL — and, when a change it may read was committed
//! since the last push, POSTs only the newest version, signed with HMAC-
//! SHA256; the partner pulls the changes itself. Retried with doubling
//! delays; nothing here ever holds up a write.
//!
//! Each attempt carries the moment it was sent, so a captured push cannot
//! be replayed later:
//!
//! ```text
//! x-pathways-timestamp: 1764345600
//! x-pathways-signature: sha256=<hex HMAC-SHA256, key = the secret, of "1764345600.<body>">
//! {"organization":"hola","maxChangeVersion":812,"timestamp":1764345600}
//! ```
//!
//! A receiver takes the timestamp header `t` and the raw body, computes the
//! HMAC of `"{t}.{body}"`, compares it with the signature in constant time,
//! and refuses the push when they differ or when `t` is more than five
//! minutes away from its own clock. The body's `timestamp` is the same `t`
//! (signed with it). Within the window a replay only asks the partner to
//! pull again, which is harmless; a receiver that wants none remembers the
//! signatures it took in the last five minutes. Every retry is signed anew
//! with its own timestamp.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sea_orm::DatabaseConnection;
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::directory::organizations;
use crate::ground::config::WebhookConfig;
use crate::policy::Scopes;
use crate::records::feed;

/// The header that carries `sha256=<hex HMAC of "{timestamp}.{body}">`.
pub const SIGNATURE_HEADER: &str = "x-pathways-signature";
/// The header that carries the push's Unix time in seconds, signed with it.
pub const TIMESTAMP_HEADER: &str = "x-pathways-timestamp";

/// `sha256=<hex>` of the HMAC-SHA256 of `message` under `secret`; a push
/// signs [`signed_message`] of its timestamp and body.
pub fn signature(secret: &str, message: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a push's signature covers: `"{timestamp}.{body}"`, so that neither
/// can be changed alone.
pub fn signed_message(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    message
}

/// Starts one task per configured webhook (within a Tokio runtime). They
/// stop with the runtime.
pub fn start(db: &DatabaseConnection, webhooks: &[WebhookConfig]) {
    for webhook in webhooks {
        tokio::spawn(run(db.clone(), webhook.clone()));
    }
}

async fn run(db: DatabaseConnection, webhook: WebhookConfig) {
    let poll = Duration::from_millis(webhook.poll_ms);
    // No redirects: a push goes to the configured receiver or nowhere (a
    // 3xx counts as a refusal and is retried like one).
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(org = %webhook.org, %err, "webhook client could not start");
            return;
        }
    };
    // Only what is committed from the start on is news.
    let mut told = feed::newest(&db).await.unwrap_or(0);
    // The organization may be created after the hub starts.
    let org = loop {
        match organizations::id_by_slug(&db, &webhook.org, "org").await {
            Ok(id) => break id,
            Err(_) => tokio::time::sleep(poll).await,
        }
    };
    loop {
        tokio::time::sleep(poll).await;
        match news(&db, org, told).await {
            Ok(Some(newest)) => {
                if push(&client, &webhook, newest).await {
                    told = newest;
                }
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(org = %webhook.org, code = err.code(), "webhook check failed")
            }
        }
    }
}

/// The newest version, when a change after `told` is readable by `org`.
async fn news(
    db: &DatabaseConnection,
    org: Uuid,
    told: i64,
) -> crate::ground::error::Result<Option<i64>> {
    let today = chrono::Utc::now().date_naive();
    // What lapsed by date is news too (see `feed::lapses`).
    feed::lapses::settle(db, Some(org), today).await?;
    let newest = feed::newest(db).await?;
    if newest <= told {
        return Ok(None);
    }
    let staff = Viewer {
        subject: "webhook".into(),
        org_id: org,
        org_slug: String::new(),
        roles: vec![Role::Staff],
        participant_id: None,
        reach: None,
    };
    let scopes = Scopes::new(&staff, today);
    let page = feed::page(db, &scopes, org, told, 1, &[]).await?;
    Ok((!page.nodes.is_empty()).then_some(newest))
}

/// POSTs `{organization, maxChangeVersion, timestamp}`, retrying with
/// doubling delays, each attempt signed with its own timestamp; whether the
/// partner took it (2xx).
async fn push(client: &reqwest::Client, webhook: &WebhookConfig, newest: i64) -> bool {
    let mut delay = Duration::from_millis(webhook.retry_ms);
    for attempt in 1..=webhook.attempts {
        let timestamp = chrono::Utc::now().timestamp();
        let body = json!({
            "organization": webhook.org,
            "maxChangeVersion": newest,
            "timestamp": timestamp,
        })
        .to_string();
        let signature = signature(&webhook.secret, &signed_message(timestamp, body.as_bytes()));
        let sent = client
            .post(&webhook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, &signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => return true,
            Ok(answer) => tracing::warn!(
                org = %webhook.org, attempt, status = answer.status().as_u16(),
                "webhook refused the push"
            ),
            Err(err) => tracing::warn!(org = %webhook.org, attempt, %err, "webhook unreachable"),
        }
        if attempt < webhook.attempts {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    false
}
