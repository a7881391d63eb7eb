//! What a seal hashes: an event's content in a fixed encoding, chained to
//! the seal before it. Each seal names its encoding (`audit_seal.format`).
//!
//! Format 2, every seal the hub writes since issue 30: the tag
//! `pathways-hub audit_event format 2\n`, then each of the fourteen columns
//! of `audit_event` in the table's order, each as one presence byte (0:
//! NULL, and nothing follows; 1: a value) then, for a value, its length in
//! bytes as 8 bytes big-endian and its UTF-8 text: UUIDs lowercase with
//! hyphens, times RFC 3339 in UTC with nine fractional digits and `Z`, the
//! action as stored (`READ`). The seal's hash is the hex SHA-256 of the
//! previous seal's hash, `\n`, and that content.
//!
//! Format 1, the seals written before (and the column's default): the
//! text of twelve columns joined by U+001F, times to the microsecond, a
//! NULL as an empty text, `created_at` and `updated_at` left out. It is
//! kept only to verify those seals, and so are its weaknesses: a format-1
//! event can still be changed undetected in the ways its encoding cannot
//! tell apart (a NULL `detail` made empty, U+001F moved across a field
//! boundary, `created_at`/`updated_at`, nanoseconds on SQLite).
//!
//! A format-1 content begins with the event's id (a hex digit), a format-2
//! content with the tag: no content of one format is a content of the
//! other, so changing a seal's `format` cannot make a changed event match.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::audit_event;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How a seal encoded its event (`audit_seal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Before issue 30: ambiguous; kept to verify the seals written then.
    V1,
    /// Every column, each length-prefixed: [`content`].
    V2,
}

impl Format {
    /// The format the sealer writes.
    pub const CURRENT: Format = Format::V2;

    /// The format a stored `audit_seal.format` names; `None` for a number
    /// no release of the hub writes.
    pub fn from_column(value: i16) -> Option<Format> {
        match value {
            1 => Some(Format::V1),
            2 => Some(Format::V2),
            _ => None,
        }
    }

    /// The number stored in `audit_seal.format`.
    pub fn column(self) -> i16 {
        match self {
            Format::V1 => 1,
            Format::V2 => 2,
        }
    }
}

/// The tag a format-2 content begins with.
const V2_TAG: &[u8] = b"pathways-hub audit_event format 2\n";

/// An event's content as format 2 hashes it (see the module's doc).
///
/// Guarantees: a pure function of the event's columns, every one of them;
/// two events that differ in any column — a NULL and an empty text
/// included, a time by a nanosecond included — have different contents,
/// since each field's presence and length are written before its bytes;
/// a column added to `audit_event` does not compile until it is encoded
/// here.
pub fn content(e: &audit_event::Model) -> Vec<u8> {
    // Destructured without `..`: a new column is a compile error here.
    let audit_event::Model {
        id,
        at,
        actor_subject,
        actor_org_id,
        action,
        entity,
        entity_id,
        participant_id,
        owner_org_id,
        categories,
        request_id,
        detail,
        created_at,
        updated_at,
    } = e;
    let uuid = |u: &Option<Uuid>| u.map(|u| u.to_string());
    let time = |t: &DateTime<Utc>| Some(t.to_rfc3339_opts(SecondsFormat::Nanos, true));
    let fields: [Option<String>; 14] = [
        Some(id.to_string()),
        time(at),
        Some(actor_subject.clone()),
        uuid(actor_org_id),
        Some(action.as_str().to_owned()),
        Some(entity.clone()),
        uuid(entity_id),
        uuid(participant_id),
        uuid(owner_org_id),
        Some(categories.clone()),
        Some(request_id.clone()),
        detail.clone(),
        time(created_at),
        time(updated_at),
    ];
    let mut out = Vec::with_capacity(V2_TAG.len() + 400);
    out.extend_from_slice(V2_TAG);
    for field in &fields {
        match field {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                out.extend_from_slice(&(text.len() as u64).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out
}

/// An event's content as format 1 hashed it, unchanged since issue 20:
/// for verifying format-1 seals only (see the module's doc for what it
/// cannot tell apart).
pub fn content_v1(e: &audit_event::Model) -> String {
    let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    [
        e.id.to_string(),
        e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        e.actor_subject.clone(),
        id(e.actor_org_id),
        e.action.as_str().to_owned(),
        e.entity.clone(),
        id(e.entity_id),
        id(e.participant_id),
        id(e.owner_org_id),
        e.categories.clone(),
        e.request_id.clone(),
        e.detail.clone().unwrap_or_default(),
    ]
    .join("\u{1f}")
}

/// The hash of a seal in `format`: hex SHA-256 of the previous seal's
/// hash, `\n`, and the event's content in that format. Pure.
pub fn link(format: Format, previous: &str, e: &audit_event::Model) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    match format {
        Format::V1 => hasher.update(content_v1(e).as_bytes()),
        Format::V2 => hasher.update(content(e)),
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly on purpose

    use chrono::{Duration, TimeZone};
    use entity::enums::AuditAction;
    use sea_orm::Iterable;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::audit::chain::GENESIS;

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | n)
    }

    /// An event with every column set; `created_at` and `updated_at` as
    /// the writer sets them, equal to `at`.
    fn event() -> audit_event::Model {
        let at =
            Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap() + Duration::microseconds(123_456);
        audit_event::Model {
            id: uuid(1),
            at,
            actor_subject: "staff@wlcac".into(),
            actor_org_id: Some(uuid(0xa)),
            action: AuditAction::Read,
            entity: "participant".into(),
            entity_id: Some(uuid(0xb)),
            participant_id: Some(uuid(0xb)),
            owner_org_id: Some(uuid(0xa)),
            categories: "IDENTITY;CONTACT".into(),
            request_id: "req-1".into(),
            detail: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn format_2_known_answer() {
        // Computed apart from this code, from the module's description.
        let bytes = content(&event());
        assert_eq!(bytes.len(), 469);
        let mut start = b"pathways-hub audit_event format 2\n\x01".to_vec();
        start.extend_from_slice(&36u64.to_be_bytes());
        start.extend_from_slice(b"00000000-0000-4000-8000-000000000001\x01");
        start.extend_from_slice(&30u64.to_be_bytes());
        start.extend_from_slice(b"2026-11-28T12:00:00.123456000Z");
        assert_eq!(&bytes[..start.len()], &start[..]);
        // `detail` NULL: one 0 byte between `request_id` and `created_at`.
        let tail = [b"\x05req-1\x00\x01".as_slice(), &30u64.to_be_bytes()].concat();
        assert!(bytes.windows(tail.len()).any(|w| w == tail), "{bytes:?}");
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            "f8e4717597b9408e7d44e68fe60b3b62e96be01a44524413c7e17e567e21a21c"
        );
        assert_eq!(
            link(Format::V2, GENESIS, &event()),
            "0e56b31531a6ee23f332ab12e807ff07fc3c70d834720f7e5355cb6819eb83db"
        );
    }

    #[test]
    fn format_1_seals_verify_as_they_were_written() {
        // The hashes the sealer wrote before issue 30, for three events.
        let mut export = event();
        export.id = uuid(2);
        export.action = AuditAction::Export;
        export.detail = Some(String::new());
        export.actor_org_id = None;
        let mut update = event();
        update.id = uuid(3);
        update.action = AuditAction::Update;
        update.detail = Some("field=family_name".into());
        let h1 = link(Format::V1, GENESIS, &event());
        let h2 = link(Format::V1, &h1, &export);
        let h3 = link(Format::V1, &h2, &update);
        assert_eq!(
            [h1.as_str(), &h2, &h3],
            [
                "ddbcbff44e82bd3fa1b8bea33c27c2a68847c6e419313b81d6fb0bda770e079d",
                "b473516bc3182e4a41f87007e7758657f43f7d601b7590a1f8645ab9487394a0",
                "dbe9fb48ed8cf02a43c32ee7f8f0baf86fe3dabfb3ac760f5c4febac0b795ab7",
            ]
        );
    }

    #[test]
    fn a_null_detail_and_an_empty_one_differ() {
        let (null, mut empty) = (event(), event());
        empty.detail = Some(String::new());
        assert_eq!(
            content_v1(&null),
            content_v1(&empty),
            "format 1 could not tell"
        );
        assert_ne!(content(&null), content(&empty));
        assert_ne!(
            link(Format::V2, GENESIS, &null),
            link(Format::V2, GENESIS, &empty)
        );
    }

    #[test]
    fn a_separator_inside_a_field_is_not_a_field_boundary() {
        // U+001F moved from one field into the next: format 1 joined both
        // to the same text.
        let (mut a, mut b) = (event(), event());
        a.categories = "IDENTITY\u{1f}req-1".into();
        a.request_id = "x".into();
        b.categories = "IDENTITY".into();
        b.request_id = "req-1\u{1f}x".into();
        assert_eq!(content_v1(&a), content_v1(&b), "format 1 collided");
        assert_ne!(content(&a), content(&b));
    }

    #[test]
    fn every_column_changes_the_hash() {
        let base = event();
        let mut seen = vec![content(&base)];
        for column in audit_event::Column::iter() {
            let mut changed = vec![base.clone()];
            let later = |t: DateTime<Utc>| t + Duration::nanoseconds(1);
            use audit_event::Column as C;
            // Exhaustive: a new column must be listed here.
            match column {
                C::Id => changed[0].id = uuid(99),
                C::At => changed[0].at = later(base.at),
                C::ActorSubject => changed[0].actor_subject = "staff@wlcac ".into(),
                C::ActorOrgId => changed[0].actor_org_id = None,
                C::Action => changed[0].action = AuditAction::Deny,
                C::Entity => changed[0].entity = "participanT".into(),
                C::EntityId => changed[0].entity_id = None,
                C::ParticipantId => changed[0].participant_id = Some(uuid(0xc)),
                C::OwnerOrgId => changed[0].owner_org_id = None,
                C::Categories => changed[0].categories = "IDENTITY".into(),
                C::RequestId => changed[0].request_id = "req-2".into(),
                C::Detail => {
                    changed[0].detail = Some(String::new());
                    changed.push(base.clone());
                    changed[1].detail = Some("x".into());
                }
                C::CreatedAt => changed[0].created_at = later(base.created_at),
                C::UpdatedAt => changed[0].updated_at = later(base.updated_at),
            }
            for e in changed {
                let bytes = content(&e);
                assert!(!seen.contains(&bytes), "{column:?}: same content");
                assert_ne!(
                    link(Format::V2, GENESIS, &e),
                    link(Format::V2, GENESIS, &base),
                    "{column:?}"
                );
                seen.push(bytes);
            }
        }
        assert_eq!(seen.len(), 1 + 14 + 1);
    }

    #[test]
    fn no_content_of_one_format_is_one_of_the_other() {
        let e = event();
        assert!(content_v1(&e).starts_with(|c: char| c.is_ascii_hexdigit()));
        assert!(!content(&e)[0].is_ascii_hexdigit());
        for n in [1, 2] {
            assert_eq!(Format::from_column(n).unwrap().column(), n);
        }
        assert_eq!(Format::from_column(0), None);
        assert_eq!(Format::from_column(3), None);
    }
}
