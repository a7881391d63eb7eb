//! Open Badges 3.0 credentials (DESIGN.md section 10): a credential a hub
//! partner awarded, as an `OpenBadgeCredential` (a W3C Verifiable
//! Credential, JSON-LD) with the awarding organization as issuer, the
//! achievement and the evidence; signed as a VC-JWT (EdDSA, Ed25519) when
//! the hub has a key (`[badges] signing_key_file`).
//!
//! The credential is read through the viewer's CREDENTIALS scope like any
//! record: one the viewer may not read is `NOT_FOUND`. Its issuer is the
//! organization that recorded it, or another member organization that
//! confirmed it (`records::confirmations`); nothing else is a badge.

use chrono::{NaiveDate, NaiveTime};
use entity::enums::{Category, CredentialKind};
use entity::{credential, organization};
use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ground::config::{Config, ConfigError};
use crate::ground::error::{Error, Result};
use crate::policy::Scopes;

/// The W3C Verifiable Credentials 2.0 context.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The 1EdTech schema an `AchievementCredential` conforms to.
pub const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// Who issues badges: the hub's public address and, when configured, the
/// key that signs them.
#[derive(Clone)]
pub struct BadgeIssuer {
    public_url: String,
    signer: Option<Signer>,
}

#[derive(Clone)]
struct Signer {
    key: EncodingKey,
    jwk: Jwk,
    /// `{public_url}/badges/jwks.json#{RFC 7638 thumbprint}`.
    kid: String,
}

impl BadgeIssuer {
    /// From `[badges]` (and `listen` when no public address is set).
    pub fn from_config(config: &Config) -> std::result::Result<BadgeIssuer, ConfigError> {
        let public_url = match &config.badges.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", config.listen),
        };
        let signer = match config
            .badges
            .signing_key()
            .map_err(|(setting, why)| ConfigError(format!("`{setting}` {why}")))?
        {
            None => None,
            Some(key) => {
                let mut jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).map_err(|_| {
                    ConfigError("`badges.signing_key_file` must be an Ed25519 key".into())
                })?;
                let thumbprint = jwk.thumbprint(ThumbprintHash::SHA256).map_err(|_| {
                    ConfigError("`badges.signing_key_file` must be an Ed25519 key".into())
                })?;
                let kid = format!("{public_url}/badges/jwks.json#{thumbprint}");
                jwk.common.key_id = Some(kid.clone());
                jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
                Some(Signer { key, jwk, kid })
            }
        };
        Ok(BadgeIssuer { public_url, signer })
    }

    /// The public keys badges are signed with (empty without a key).
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.signer.iter().map(|s| s.jwk.clone()).collect(),
        }
    }

    /// An issuing organization's Open Badges `Profile`.
    pub fn profile(&self, org: &organization::Model) -> Value {
        json!({
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": self.profile_id(&org.slug),
            "type": ["Profile"],
            "name": org.name,
        })
    }

    fn profile_id(&self, slug: &str) -> String {
        format!("{}/badges/issuers/{slug}", self.public_url)
    }
}

/// A credential as a badge.
#[derive(Debug, Clone)]
pub struct Badge {
    pub participant_id: Uuid,
    pub owner_org_id: Uuid,
    /// The `OpenBadgeCredential`.
    pub credential: Value,
    /// The same, signed as a compact VC-JWT (`None` without a key).
    pub jwt: Option<String>,
}

/// The badge of credential `id`, if the viewer may read it.
pub async fn badge<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    issuer: &BadgeIssuer,
    id: Uuid,
) -> Result<Badge> {
    use credential::Column as X;
    let row = credential::Entity::find_by_id(id)
        .filter(scopes.of(Category::Credentials).condition(
            (credential::Entity, X::OwnerOrgId),
            (credential::Entity, X::ParticipantId),
        ))
        .one(db)
        .await?
        .ok_or(Error::NotFound("credential"))?;
    let Some(awarded_by) = row.issuer_org_id else {
        return Err(Error::bad_input(
            "id",
            "this credential was issued outside the hub (its issuer is not a partner), so the hub cannot issue it as a badge",
        ));
    };
    // Another member organization is named as issuer only once its own
    // staff confirmed it (DESIGN.md section 11): no forged badges.
    let issuable = credential::Entity::find_by_id(id)
        .filter(super::confirmations::badge_issuable())
        .count(db)
        .await?
        > 0;
    if !issuable {
        return Err(Error::bad_input(
            "id",
            "the organization named as this credential's issuer has not confirmed it, so the hub does not issue it as that organization's badge",
        ));
    }
    let orgs = crate::directory::organizations::by_ids(db, &[awarded_by, row.owner_org_id]).await?;
    let org = |id: Uuid| {
        orgs.iter().find(|o| o.id == id).ok_or(Error::Internal(
            "a credential's organization is missing".into(),
        ))
    };
    let (awarding, recording) = (org(awarded_by)?, org(row.owner_org_id)?);
    let credential = document(issuer, &row, awarding, recording);
    let jwt = match &issuer.signer {
        None => None,
        Some(signer) => Some(sign(signer, &credential, &row)?),
    };
    Ok(Badge {
        participant_id: row.participant_id,
        owner_org_id: row.owner_org_id,
        credential,
        jwt,
    })
}

fn timestamp(day: NaiveDate) -> String {
    day.and_time(NaiveTime::MIN)
        .and_utc()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The OB 3.0 `achievementType` of a kind of credential.
fn achievement_type(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::IndustryCertification => "Certification",
        CredentialKind::CompletionCertificate => "CertificateOfCompletion",
        CredentialKind::ApprenticeshipCertificate => "ApprenticeshipCertificate",
        CredentialKind::Degree => "Degree",
        CredentialKind::Diploma => "Diploma",
    }
}

fn describe(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::IndustryCertification => "Industry certification",
        CredentialKind::CompletionCertificate => "Certificate of completion",
        CredentialKind::ApprenticeshipCertificate => "Apprenticeship certificate",
        CredentialKind::Degree => "Degree",
        CredentialKind::Diploma => "Diploma",
    }
}

/// The `OpenBadgeCredential` of `row`. The recipient is named by the hub's
/// id only: no name, email or birth date leaves in a badge.
fn document(
    issuer: &BadgeIssuer,
    row: &credential::Model,
    awarding: &organization::Model,
    recording: &organization::Model,
) -> Value {
    // The same achievement (issuer, kind, name) has the same id in every
    // badge, so a verifier can group them.
    let achievement_id = Uuid::new_v5(
        &awarding.id,
        format!("{}\u{1f}{}", row.kind.as_str(), row.name).as_bytes(),
    );
    let mut evidence = json!({
        "type": ["Evidence"],
        "name": format!("Recorded in Pathways Hub by {}", recording.name),
        "narrative": format!(
            "{} recorded this {} on {} as awarded by {} on {}.",
            recording.name,
            describe(row.kind).to_lowercase(),
            row.created_at.date_naive(),
            awarding.name,
            row.awarded_on
        ),
    });
    if let Some(url) = &row.evidence_url {
        evidence["id"] = json!(url);
    }
    let mut credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", row.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": row.name,
        "issuer": {
            "id": issuer.profile_id(&awarding.slug),
            "type": ["Profile"],
            "name": awarding.name,
        },
        "validFrom": timestamp(row.awarded_on),
        "awardedDate": timestamp(row.awarded_on),
        "credentialSubject": {
            "id": format!("urn:uuid:{}", row.participant_id),
            "type": ["AchievementSubject"],
            "achievement": {
                "id": format!("urn:uuid:{achievement_id}"),
                "type": ["Achievement"],
                "achievementType": achievement_type(row.kind),
                "name": row.name,
                "description": format!("{} awarded by {}.", describe(row.kind), awarding.name),
                "criteria": {
                    "narrative": format!("Awarded by {} to a participant of its program.", awarding.name),
                },
                "creator": {
                    "id": issuer.profile_id(&awarding.slug),
                    "type": ["Profile"],
                    "name": awarding.name,
                },
            },
        },
        "evidence": [evidence],
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    });
    if let Some(until) = row.expires_on {
        credential["validUntil"] = json!(timestamp(until));
    }
    credential
}

/// OB 3.0's JWT proof format: the payload is the credential itself with
/// the registered claims `iss`, `jti`, `sub`, `nbf` (and `exp`).
fn sign(signer: &Signer, credential: &Value, row: &credential::Model) -> Result<String> {
    let mut claims = credential.clone();
    let seconds = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc().timestamp();
    claims["iss"] = credential["issuer"]["id"].clone();
    claims["jti"] = credential["id"].clone();
    claims["sub"] = credential["credentialSubject"]["id"].clone();
    claims["nbf"] = json!(seconds(row.awarded_on));
    if let Some(until) = row.expires_on {
        claims["exp"] = json!(seconds(until));
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("JWT".into());
    header.kid = Some(signer.kid.clone());
    jsonwebtoken::encode(&header, &claims, &signer.key)
        .map_err(|e| Error::Internal(format!("badge signing: {e}")))
}
