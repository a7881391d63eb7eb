//! Webhooks: a push is signed over its timestamp and body, retried, and
//! sent only to the organization that may read the change. The signature is
//! checked here with the `hmac` crate itself, not with the hub's function,
//! and the hub's function is pinned to a published HMAC-SHA256 vector.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use pathways_hub::adapters::webhooks::{
    SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, signed_message,
};
use pathways_hub::ground::config::WebhookConfig;
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// What a receiver computes: `sha256=` and the hex HMAC-SHA256 of
/// `"{timestamp}.{body}"` under its secret — written from the scheme the
/// partner guide gives (docs/partners.md), independently of the hub's code.
fn receiver_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn the_signature_function_is_hmac_sha256_rfc_4231_case_2() {
    assert_eq!(
        signature("Jefe", b"what do ya want for nothing?"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(signed_message(1700000000, b"{}"), b"1700000000.{}");
}

hub_test!(
    a_webhook_is_signed_with_its_timestamp_retried_and_only_for_its_reader,
    |backend| {
        let started = unix_now();
        let hola_hook = MockServer::start().await;
        let spacela_hook = MockServer::start().await;
        // HOLA's receiver fails twice, then takes the push.
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .with_priority(1)
            .mount(&hola_hook)
            .await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&hola_hook)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&spacela_hook)
            .await;
        let hook = |org: &str, url: String| WebhookConfig {
            org: org.into(),
            url,
            secret: format!("{org}-webhook-secret-0123456789"),
            poll_ms: 20,
            attempts: 5,
            retry_ms: 10,
        };
        let hooks = vec![
            hook("hola", format!("{}/hook", hola_hook.uri())),
            hook("spacela", format!("{}/hook", spacela_hook.uri())),
        ];
        let app = spawn_app_with(backend, false, move |c| c.webhooks = hooks).await;
        // Rows HOLA may read are committed after the hub started.
        let (_story, p, _) = shared_apprentice(&app).await;

        let deadline = Instant::now() + Duration::from_secs(30);
        let received = loop {
            let received = hola_hook.received_requests().await.unwrap();
            if received.len() >= 3 {
                break received;
            }
            assert!(
                Instant::now() < deadline,
                "no push reached HOLA: {} requests",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let checked = unix_now();
        let secret = "hola-webhook-secret-0123456789";
        let bodies: Vec<Value> = received[..3]
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        let mut last = started;
        for (push, body) in received[..3].iter().zip(&bodies) {
            let header = |name: &str| push.headers.get(name).unwrap().to_str().unwrap();
            // Two refused attempts, then the same news again, each attempt
            // signed anew over its own timestamp and body.
            assert_eq!(body["organization"], bodies[0]["organization"]);
            assert_eq!(body["maxChangeVersion"], bodies[0]["maxChangeVersion"]);
            let timestamp = header(TIMESTAMP_HEADER);
            let t: i64 = timestamp.parse().unwrap();
            assert_eq!(body["timestamp"], t, "{body}");
            // Sent between the test's start and now, by the test's clock.
            assert!(
                (last..=checked).contains(&t),
                "{t} not in {last}..={checked}"
            );
            last = t;
            let signed = header(SIGNATURE_HEADER);
            assert_eq!(signed, receiver_signature(secret, timestamp, &push.body));
            // The timestamp is covered: another one does not verify, nor
            // another secret, nor the body alone.
            let other = (t - 600).to_string();
            assert_ne!(signed, receiver_signature(secret, &other, &push.body));
            assert_ne!(
                signed,
                receiver_signature("another-secret-0123456789", timestamp, &push.body)
            );
            assert_ne!(signed, signature(secret, &push.body));
        }
        // Only the version and the timestamp: no data about anyone.
        let body = &bodies[2];
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        assert_eq!(body["organization"], "hola");
        let hola = app.staff("hola");
        let (nodes, at) = drain(&app, &hola, 0, 100).await;
        assert!(!nodes.is_empty());
        assert!(body["maxChangeVersion"].as_i64().unwrap() <= at);
        let text = String::from_utf8_lossy(&received[2].body);
        assert!(!text.contains("Marisol") && !text.contains(&p.to_string()));
        // SpaceLA may read none of it: told nothing.
        assert!(spacela_hook.received_requests().await.unwrap().is_empty());
    }
);

hub_test!(a_webhook_follows_no_redirect, |backend| {
    let receiver = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/stolen", elsewhere.uri())),
        )
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&elsewhere)
        .await;
    let hooks = vec![WebhookConfig {
        org: "hola".into(),
        url: format!("{}/hook", receiver.uri()),
        secret: "hola-webhook-secret-0123456789".into(),
        poll_ms: 20,
        attempts: 3,
        retry_ms: 10,
    }];
    let app = spawn_app_with(backend, false, move |c| c.webhooks = hooks).await;
    let _ = shared_apprentice(&app).await;
    // Every attempt reaches the configured receiver and is refused there.
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.received_requests().await.unwrap().len() < 3 {
        assert!(Instant::now() < deadline, "the pushes did not come");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "a push followed the redirect"
    );
});
