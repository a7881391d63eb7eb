//! Bearer tokens: an `Authorization` header of arbitrary bytes through the
//! server's header reading and token verification (HS256 with a fixed
//! secret), a real token with bytes changed, and tokens signed with the
//! real secret over arbitrary JSON claims. Nothing may panic; no token
//! verifies unless it carries the signed claims, and a verified token has
//! the configured issuer and audience.

#![no_main]

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use pathways_hub::auth::{Claims, TokenVerifier};
use pathways_hub::ground::config::AuthConfig;
use pathways_hub::web::state::bearer_token;

const SECRET: &str = "fuzzing-secret-of-at-least-32-bytes!";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    verifier: TokenVerifier,
    config: AuthConfig,
    token: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let config = AuthConfig {
            hs256_secret: Some(SECRET.into()),
            ..AuthConfig::default()
        };
        let verifier = TokenVerifier::from_config(&config).expect("a verifier");
        let token = verifier
            .mint("fuzz-subject", "hola", &["staff".into()], Some(10 * 365 * 86_400))
            .expect("a token");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime");
        Fixture {
            runtime,
            verifier,
            config,
            token,
        }
    })
}

fn verify(token: &str) -> Option<Claims> {
    let f = fixture();
    f.runtime.block_on(f.verifier.verify(token)).ok()
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            // Any header value the HTTP layer lets through.
            let Ok(value) = HeaderValue::from_bytes(rest) else {
                return;
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value);
            if let Ok(Some(token)) = bearer_token(&headers) {
                assert!(verify(token).is_none(), "an unsigned token verified");
            }
        }
        1 => {
            // The real token with bytes replaced: (position, byte) pairs.
            let mut token = f.token.clone().into_bytes();
            for pair in rest.chunks_exact(2) {
                let at = usize::from(pair[0]) * token.len() / 256;
                token[at] = pair[1];
            }
            let Ok(token) = String::from_utf8(token) else {
                return;
            };
            if let Some(claims) = verify(&token) {
                // Base64 may spell the same bytes twice; the claims must
                // still be the signed ones.
                assert_eq!(
                    (claims.sub.as_str(), claims.org.as_str()),
                    ("fuzz-subject", "hola")
                );
                assert_eq!(claims.roles, vec!["staff".to_owned()]);
            }
        }
        _ => {
            // Arbitrary claims, signed with the real secret.
            let Ok(claims) = serde_json::from_slice::<serde_json::Value>(rest) else {
                return;
            };
            let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
            let Ok(token) = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
            else {
                return;
            };
            if let Some(verified) = verify(&token) {
                assert_eq!(verified.iss, f.config.issuer);
                assert_eq!(verified.aud, f.config.audience);
            }
        }
    }
});
