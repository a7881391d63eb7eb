//! Open Badges 3.0 (DESIGN.md section 10): `credentialBadge(id)` answers a
//! credential a partner awarded as an `OpenBadgeCredential` that validates
//! against the OB 3.0 AchievementCredential schema (test data), signed as a
//! VC-JWT that verifies with the key `/badges/jwks.json` publishes; read
//! through the same policy as the credential and audited.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::path::PathBuf;

use common::story::{PartnerStory, Story, date};
use common::{TestApp, one_error, spawn_app_with};
use entity::audit_event;
use entity::enums::CredentialKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const BADGE: &str = "query($id: ID!) { credentialBadge(id: $id) { credential jwt } }";

const PUBLIC_URL: &str = "https://hub.example.org";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The OB 3.0 AchievementCredential schema, formats checked too.
fn schema() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(fixture("ob_v3p0_achievementcredential.schema.json")).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&serde_json::from_str(&text).unwrap())
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A hub with the test signing key (or none).
async fn hub(backend: common::Backend, signed: bool) -> TestApp {
    spawn_app_with(backend, false, |config| {
        config.badges.public_url = Some(PUBLIC_URL.into());
        if signed {
            config.badges.signing_key_file = Some(fixture("badge_signing_test_ed25519.pem"));
        }
    })
    .await
}

/// Arts2Work's apprentice and the Adobe Premiere Pro certification
/// Arts2Work awarded them itself, with evidence.
async fn awarded(app: &TestApp) -> (PartnerStory, Uuid, Uuid) {
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    let owner = story.owner;
    let credential = s
        .credential(
            p,
            owner,
            "Digital Video Editor – Journey-level Certificate",
            date(2026, 5, 1),
        )
        .with(|c| {
            c.issuer_org_id = Set(Some(owner));
            c.issuer_name = Set(None);
            c.kind = Set(CredentialKind::ApprenticeshipCertificate);
            c.evidence_url = Set(Some(
                "https://arts2work.example.org/portfolio/a2w-0001".into(),
            ));
        })
        .await;
    (story, p, credential)
}

hub_test!(
    a_badge_validates_against_ob3_and_its_jwt_verifies,
    |backend| {
        let app = hub(backend, true).await;
        let (_story, p, id) = awarded(&app).await;
        let answer = app
            .query(
                Some(&app.staff("alliance-arts2work")),
                BADGE,
                json!({ "id": id }),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        let badge = &answer["data"]["credentialBadge"];
        let credential = &badge["credential"];

        let validator = schema();
        assert_eq!(
            schema_errors(&validator, credential),
            Vec::<String>::new(),
            "{credential:#}"
        );
        // The schema is strict enough to fail: without an issuer, or with a
        // date that is not one, the same document does not validate.
        let mut broken = credential.clone();
        broken.as_object_mut().unwrap().remove("issuer");
        assert!(!validator.is_valid(&broken));
        let mut broken = credential.clone();
        broken["validFrom"] = json!("May 1st");
        assert!(!validator.is_valid(&broken));

        // What it says.
        assert_eq!(credential["id"], format!("urn:uuid:{id}"));
        assert_eq!(
            credential["issuer"]["id"],
            format!("{PUBLIC_URL}/badges/issuers/alliance-arts2work")
        );
        assert_eq!(credential["validFrom"], "2026-05-01T00:00:00Z");
        assert_eq!(
            credential["credentialSubject"]["id"],
            format!("urn:uuid:{p}")
        );
        let achievement = &credential["credentialSubject"]["achievement"];
        assert_eq!(
            achievement["name"],
            "Digital Video Editor – Journey-level Certificate"
        );
        assert_eq!(achievement["achievementType"], "ApprenticeshipCertificate");
        assert_eq!(
            credential["evidence"][0]["id"],
            "https://arts2work.example.org/portfolio/a2w-0001"
        );
        // No personal data beyond the hub's id: the apprentice's names and
        // email appear nowhere.
        let text = credential.to_string();
        for personal in ["Marisol", "Quintero", "marisol1@example.com", "2004-04-12"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }

        // The issuer's profile answers at its id.
        let profile: Value = app
            .get("/badges/issuers/alliance-arts2work")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(profile["id"], credential["issuer"]["id"]);
        assert_eq!(profile["name"], credential["issuer"]["name"]);
        assert_eq!(app.get("/badges/issuers/nobody").await.status(), 404);

        // The JWT verifies with the published key and carries the credential.
        let jwt = badge["jwt"].as_str().unwrap();
        let jwks: JwkSet = app.get("/badges/jwks.json").await.json().await.unwrap();
        assert_eq!(jwks.keys.len(), 1);
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_aud = false;
        let claims: Value = jsonwebtoken::decode(jwt, &key, &validation).unwrap().claims;
        assert_eq!(claims["iss"], credential["issuer"]["id"]);
        assert_eq!(claims["jti"], credential["id"]);
        assert_eq!(claims["sub"], credential["credentialSubject"]["id"]);
        let mut payload = claims.clone();
        for claim in ["iss", "jti", "sub", "nbf"] {
            payload.as_object_mut().unwrap().remove(claim);
        }
        assert_eq!(&payload, credential);

        // A changed payload does not verify.
        let parts: Vec<&str> = jwt.split('.').collect();
        let mut forged_claims = claims.clone();
        forged_claims["name"] = json!("Master Certificate");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                forged_claims.to_string()
            ),
            parts[2]
        );
        assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());
    }
);

hub_test!(
    a_badge_is_read_under_the_credentials_policy_and_audited,
    |backend| {
        let app = hub(backend, false).await;
        let (story, p, id) = awarded(&app).await;
        let s = Story::new(&app.db);
        let hola = app.staff("hola");

        // No agreement: HOLA learns nothing, not even that the credential exists.
        let answer = app.query(Some(&hola), BADGE, json!({ "id": id })).await;
        one_error(&answer, "NOT_FOUND");
        let missing = app
            .query(Some(&hola), BADGE, json!({ "id": Uuid::new_v4() }))
            .await;
        assert_eq!(
            one_error(&answer, "NOT_FOUND")["message"],
            one_error(&missing, "NOT_FOUND")["message"]
        );
        let reads = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                audit_event::Entity::find()
                    .filter(audit_event::Column::ActorOrgId.eq(story.viewer))
                    .filter(audit_event::Column::ParticipantId.eq(p))
                    .filter(audit_event::Column::Action.eq("READ"))
                    .all(&db)
                    .await
                    .unwrap()
            }
        };
        assert!(reads(&app).await.is_empty());

        // An agreement sharing CREDENTIALS: HOLA reads it, and the read is
        // audited as one of Arts2Work's CREDENTIALS.
        s.agreement(story.owner, story.viewer, "CREDENTIALS").await;
        let answer = app.query(Some(&hola), BADGE, json!({ "id": id })).await;
        assert!(answer["errors"].is_null(), "{answer}");
        assert_eq!(
            answer["data"]["credentialBadge"]["credential"]["id"],
            format!("urn:uuid:{id}")
        );
        // Unsigned without a key, and no key is published.
        assert!(answer["data"]["credentialBadge"]["jwt"].is_null());
        let jwks: Value = app.get("/badges/jwks.json").await.json().await.unwrap();
        assert_eq!(jwks, json!({ "keys": [] }));
        let audited = reads(&app).await;
        assert_eq!(audited.len(), 1, "{audited:?}");
        assert_eq!(audited[0].categories, "CREDENTIALS");
        assert_eq!(audited[0].owner_org_id, Some(story.owner));

        // A bystander still sees nothing.
        let answer = app
            .query(Some(&app.staff("spacela")), BADGE, json!({ "id": id }))
            .await;
        one_error(&answer, "NOT_FOUND");
        // Without a token: UNAUTHENTICATED.
        one_error(
            &app.query(None, BADGE, json!({ "id": id })).await,
            "UNAUTHENTICATED",
        );
    }
);

hub_test!(
    an_outside_issuers_credential_is_not_issued_as_a_badge,
    |backend| {
        let app = hub(backend, true).await;
        let s = Story::new(&app.db);
        let story = s.partners().await;
        let p = s.apprentice(&story, 1).await;
        // Adobe issued it; Arts2Work only recorded it.
        let adobe = s
            .credential(
                p,
                story.owner,
                "Adobe Certified Professional – Premiere Pro",
                date(2026, 3, 2),
            )
            .await;
        let answer = app
            .query(
                Some(&app.staff("alliance-arts2work")),
                BADGE,
                json!({ "id": adobe }),
            )
            .await;
        let error = one_error(&answer, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "id", "{answer}");
        let answer = app
            .query(
                Some(&app.staff("alliance-arts2work")),
                BADGE,
                json!({ "id": "not-a-uuid" }),
            )
            .await;
        one_error(&answer, "BAD_USER_INPUT");
    }
);

#[test]
fn a_bad_signing_key_is_named_at_start() {
    let mut config = common::test_config("sqlite::memory:".into());
    config.badges.signing_key_file = Some(fixture("ob_v3p0_achievementcredential.schema.json"));
    let error = config.validate().unwrap_err().to_string();
    assert!(error.contains("badges.signing_key_file"), "{error}");
    config.badges.signing_key_file = Some(fixture("no-such-key.pem"));
    let error = config.validate().unwrap_err().to_string();
    assert!(error.contains("badges.signing_key_file"), "{error}");
    config.badges.signing_key_file = None;
    config.badges.public_url = Some("ftp://hub".into());
    let error = config.validate().unwrap_err().to_string();
    assert!(error.contains("badges.public_url"), "{error}");
    config.badges.public_url = Some(PUBLIC_URL.into());
    config.validate().unwrap();
}
