//! Authentication over HTTP: HS256, RS256/ES256 from PEM files and from a
//! JWKS URL (a real HTTP server, wiremock), and every way a token can be bad
//! — including a JWKS that redirects, is oversized, or offers a key for
//! another use or algorithm.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use entity::enums::OrgKind;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VIEWER: &str = "{ viewer { subject roles organization { slug } } }";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims(org: &str) -> Value {
    json!({ "sub": "staff@wlcac", "org": org, "roles": ["staff", "not-a-role"], "exp": now() + 600,
            "iat": now(), "iss": "pathways-hub", "aud": "pathways-hub" })
}

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn hs256(secret: &str, claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(secret.as_bytes()),
        None,
        claims,
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The public JWK of `key` (with `alg` set to `alg`) under `kid`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Value {
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(key, alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    serde_json::to_value(jwk).unwrap()
}

/// The answer must be a refusal before execution: 401, UNAUTHENTICATED, no data.
async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let (status, answer) = app.post(Some(token), json!({ "query": VIEWER })).await;
    assert_eq!(status, 401, "{why}: {answer}");
    assert_eq!(codes(&answer), vec!["UNAUTHENTICATED"], "{why}: {answer}");
    assert!(answer["data"].is_null(), "{why}");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(!message.to_lowercase().contains("sql"), "{why}: {message}");
}

hub_test!(hs256_tokens_and_every_bad_token, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;

    // A token minted like the CLI mints it works; unknown roles are ignored.
    let good = hs256(TEST_SECRET, &claims("wlcac"));
    let answer = app.query(Some(&good), VIEWER, json!({})).await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["viewer"]["subject"], "staff@wlcac");
    assert_eq!(answer["data"]["viewer"]["roles"], json!(["STAFF"]));
    assert_eq!(answer["data"]["viewer"]["organization"]["slug"], "wlcac");

    // No token: the request runs, but every field needs a viewer.
    let answer = app.query(None, VIEWER, json!({})).await;
    assert_eq!(codes(&answer), vec!["UNAUTHENTICATED"]);
    assert!(answer["data"].is_null());

    // alg: none, built by hand.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims("wlcac").to_string());
    assert_refused(&app, &format!("{header}.{body}."), "alg none").await;
    // Another algorithm with the same secret.
    let hs512 = sign(
        Algorithm::HS512,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
        None,
        &claims("wlcac"),
    );
    assert_refused(&app, &hs512, "HS512").await;
    // A bad signature.
    assert_refused(
        &app,
        &hs256("another-secret-another-secret-000000", &claims("wlcac")),
        "bad signature",
    )
    .await;
    // The same header and claims with one bit of the signature flipped (a
    // changed last character could decode to the same bytes).
    let (signed, signature) = good.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[0] ^= 0x01;
    let tampered = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    assert_ne!(tampered, good);
    assert_ne!(
        URL_SAFE_NO_PAD
            .decode(tampered.rsplit_once('.').unwrap().1)
            .unwrap(),
        URL_SAFE_NO_PAD.decode(signature).unwrap(),
        "the signature's bytes differ"
    );
    assert_refused(&app, &tampered, "tampered signature").await;
    // Expired (beyond the leeway).
    let mut expired = claims("wlcac");
    expired["exp"] = json!(now() - 3600);
    assert_refused(&app, &hs256(TEST_SECRET, &expired), "expired").await;
    // Wrong issuer, wrong audience, missing subject.
    let mut wrong = claims("wlcac");
    wrong["iss"] = json!("someone-else");
    assert_refused(&app, &hs256(TEST_SECRET, &wrong), "wrong iss").await;
    let mut wrong = claims("wlcac");
    wrong["aud"] = json!("another-api");
    assert_refused(&app, &hs256(TEST_SECRET, &wrong), "wrong aud").await;
    let mut wrong = claims("wlcac");
    wrong.as_object_mut().unwrap().remove("sub");
    assert_refused(&app, &hs256(TEST_SECRET, &wrong), "no sub").await;
    // An organization the hub does not know.
    assert_refused(
        &app,
        &hs256(TEST_SECRET, &claims("no-such-org")),
        "unknown org",
    )
    .await;
    // Garbage.
    for garbage in ["", "abc", "a.b.c", "é.ü.ñ", &"x".repeat(10_000)] {
        assert_refused(&app, garbage, "garbage").await;
    }
    // Not a bearer header.
    let response = reqwest::Client::new()
        .post(&app.url)
        .header("authorization", format!("Basic {good}"))
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
});

hub_test!(rs256_and_es256_from_pem_files, |backend| {
    let dir = env!("CARGO_MANIFEST_DIR");
    let app = spawn_app_with(backend, false, |config| {
        config.auth.hs256_secret = None;
        config.auth.public_key_files = vec![
            format!("{dir}/tests/fixtures/rsa_public.pem").into(),
            format!("{dir}/tests/fixtures/ec_public.pem").into(),
        ];
    })
    .await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;

    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
    let answer = app
        .query(
            Some(&sign(Algorithm::RS256, &rsa, None, &claims("wlcac"))),
            VIEWER,
            json!({}),
        )
        .await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["viewer"]["organization"]["slug"], "wlcac");

    let ec = EncodingKey::from_ec_pem(&fixture("ec_private.pem")).unwrap();
    let answer = app
        .query(
            Some(&sign(Algorithm::ES256, &ec, None, &claims("wlcac"))),
            VIEWER,
            json!({}),
        )
        .await;
    assert_ok(&answer);

    // A key the hub does not trust.
    let other = EncodingKey::from_rsa_pem(&fixture("rsa_other_private.pem")).unwrap();
    assert_refused(
        &app,
        &sign(Algorithm::RS256, &other, None, &claims("wlcac")),
        "untrusted RSA key",
    )
    .await;
    // Algorithm confusion: HS256 "signed" with the public key as the secret,
    // on a hub without an HS256 secret.
    let public_pem = String::from_utf8(fixture("rsa_public.pem")).unwrap();
    assert_refused(&app, &hs256(&public_pem, &claims("wlcac")), "alg confusion").await;
    // RS384 is not accepted even with the trusted key.
    assert_refused(
        &app,
        &sign(Algorithm::RS384, &rsa, None, &claims("wlcac")),
        "RS384",
    )
    .await;
});

hub_test!(
    jwks_fetched_cached_and_refreshed_on_unknown_kid,
    |backend| {
        let jwks = MockServer::start().await;
        let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
        let other = EncodingKey::from_rsa_pem(&fixture("rsa_other_private.pem")).unwrap();
        let jwk = |key: &EncodingKey, kid: &str| jwk(key, Algorithm::RS256, kid);
        let first = Mock::given(method("GET"))
            .and(path("/.well-known/jwks.json"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "keys": [jwk(&rsa, "k1")] })),
            )
            .expect(1)
            .mount_as_scoped(&jwks)
            .await;
        let url = format!("{}/.well-known/jwks.json", jwks.uri());
        let app = spawn_app_with(backend, false, |config| {
            config.auth.hs256_secret = None;
            config.auth.jwks_url = Some(url);
            config.auth.jwks_min_refresh_secs = 0;
        })
        .await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;

        // k1 is fetched once, then served from the cache.
        for _ in 0..3 {
            let answer = app
                .query(
                    Some(&sign(Algorithm::RS256, &rsa, Some("k1"), &claims("wlcac"))),
                    VIEWER,
                    json!({}),
                )
                .await;
            assert_ok(&answer);
        }
        drop(first); // verifies exactly one fetch so far

        // The issuer rotates in k2: a token naming it makes the hub fetch again.
        Mock::given(method("GET"))
            .and(path("/.well-known/jwks.json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({ "keys": [jwk(&rsa, "k1"), jwk(&other, "k2")] })),
            )
            .expect(1)
            .mount(&jwks)
            .await;
        let answer = app
            .query(
                Some(&sign(
                    Algorithm::RS256,
                    &other,
                    Some("k2"),
                    &claims("wlcac"),
                )),
                VIEWER,
                json!({}),
            )
            .await;
        assert_ok(&answer);
        // A token signed by the wrong key under a known kid is still refused.
        assert_refused(
            &app,
            &sign(Algorithm::RS256, &rsa, Some("k2"), &claims("wlcac")),
            "kid/key mismatch",
        )
        .await;
    }
);

/// A hub whose only keys come from `url`, fetched again on every unknown `kid`.
async fn jwks_app(backend: Backend, url: String) -> TestApp {
    let app = spawn_app_with(backend, false, |config| {
        config.auth.hs256_secret = None;
        config.auth.jwks_url = Some(url);
        config.auth.jwks_min_refresh_secs = 0;
    })
    .await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    app
}

hub_test!(
    a_jwks_that_redirects_or_is_oversized_is_not_used,
    |backend| {
        let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
        let set = json!({ "keys": [jwk(&rsa, Algorithm::RS256, "k1")] });
        let token = sign(Algorithm::RS256, &rsa, Some("k1"), &claims("wlcac"));

        // The issuer's address answers with a redirect to a server that
        // holds the right key: the hub does not follow it.
        let jwks = MockServer::start().await;
        let elsewhere = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&set))
            .mount(&elsewhere)
            .await;
        Mock::given(method("GET"))
            .and(path("/jwks.json"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("{}/jwks.json", elsewhere.uri())),
            )
            .mount(&jwks)
            .await;
        let app = jwks_app(backend, format!("{}/jwks.json", jwks.uri())).await;
        assert_refused(&app, &token, "redirected JWKS").await;
        assert!(!jwks.received_requests().await.unwrap().is_empty());
        assert!(
            elsewhere.received_requests().await.unwrap().is_empty(),
            "the redirect was followed"
        );

        // The same key in a body one byte over the limit, then in one just
        // under it: only the second is read.
        let padded = |total: usize| {
            let base = json!({ "keys": set["keys"], "padding": "" })
                .to_string()
                .len();
            json!({ "keys": set["keys"], "padding": "x".repeat(total - base) }).to_string()
        };
        const LIMIT: usize = 256 * 1024;
        for (total, accepted) in [(LIMIT + 1, false), (LIMIT - 1, true)] {
            let body = padded(total);
            assert_eq!(body.len(), total);
            jwks.reset().await;
            Mock::given(method("GET"))
                .and(path("/jwks.json"))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
                .mount(&jwks)
                .await;
            if accepted {
                let answer = app.query(Some(&token), VIEWER, json!({})).await;
                assert_ok(&answer);
            } else {
                assert_refused(&app, &token, "oversized JWKS").await;
            }
            assert!(!jwks.received_requests().await.unwrap().is_empty());
        }
    }
);

hub_test!(
    a_key_for_encryption_or_another_algorithm_verifies_nothing,
    |backend| {
        let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
        let ec = EncodingKey::from_ec_pem(&fixture("ec_private.pem")).unwrap();
        // The same RSA key under several kids, each declared differently.
        let with = |kid: &str, field: &str, value: &str| {
            let mut key = jwk(&rsa, Algorithm::RS256, kid);
            key[field] = json!(value);
            key
        };
        let mut bare = jwk(&rsa, Algorithm::RS256, "bare");
        bare.as_object_mut().unwrap().remove("alg");
        let set = json!({ "keys": [
            with("enc", "use", "enc"),
            with("rs384", "alg", "RS384"),
            with("es256", "alg", "ES256"),
            with("sig", "use", "sig"),
            bare,
            jwk(&ec, Algorithm::ES256, "ec"),
        ] });
        let jwks = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jwks.json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&set))
            .mount(&jwks)
            .await;
        let app = jwks_app(backend, format!("{}/jwks.json", jwks.uri())).await;

        // Tokens signed with the right private key, naming its kid: refused
        // when the key is for encryption or declares another algorithm.
        for kid in ["enc", "rs384", "es256"] {
            let token = sign(Algorithm::RS256, &rsa, Some(kid), &claims("wlcac"));
            assert_refused(&app, &token, kid).await;
        }
        // Declared for signatures with RS256, or declaring nothing: used.
        for kid in ["sig", "bare"] {
            let token = sign(Algorithm::RS256, &rsa, Some(kid), &claims("wlcac"));
            assert_ok(&app.query(Some(&token), VIEWER, json!({})).await);
        }
        // An EC P-256 key verifies ES256, never an RS256 token naming it.
        let token = sign(Algorithm::ES256, &ec, Some("ec"), &claims("wlcac"));
        assert_ok(&app.query(Some(&token), VIEWER, json!({})).await);
        let token = sign(Algorithm::RS256, &rsa, Some("ec"), &claims("wlcac"));
        assert_refused(&app, &token, "RS256 token naming an EC key").await;
    }
);
