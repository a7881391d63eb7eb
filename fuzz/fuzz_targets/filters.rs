//! A participant filter (search words, program, pathway, status,
//! organization) and a viewer, turned into the SQL the participants list
//! would run on PostgreSQL and SQLite through the policy's scopes. Nothing
//! may panic, and the search text never becomes SQL: the statements' text
//! is the same as for placeholder words (only bound values differ).

#![no_main]

use entity::enums::EnrollmentStatus;
use libfuzzer_sys::fuzz_target;
use pathways_hub::auth::{Role, Viewer};
use pathways_hub::people::participants::{ParticipantFilter, list_statements};
use pathways_hub::policy::Scopes;
use uuid::Uuid;

const STATUSES: [EnrollmentStatus; 7] = [
    EnrollmentStatus::Applied,
    EnrollmentStatus::Interviewed,
    EnrollmentStatus::Accepted,
    EnrollmentStatus::Active,
    EnrollmentStatus::Completed,
    EnrollmentStatus::Withdrawn,
    EnrollmentStatus::Cancelled,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 18 {
        return;
    }
    let (flags, rest) = (data[0], &data[1..]);
    let id = Uuid::from_slice(&rest[..16]).expect("16 bytes");
    let search = String::from_utf8_lossy(&rest[17..]).into_owned();
    let roles = [Role::Staff, Role::OrgAdmin, Role::HubAdmin, Role::Evaluator]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| rest[16] & (1 << i) != 0)
        .map(|(_, role)| role)
        .collect();
    let viewer = Viewer {
        subject: "fuzz".into(),
        org_id: Uuid::from_u128(7),
        org_slug: "hola".into(),
        roles,
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");
    let scopes = Scopes::new(&viewer, today);
    let filter = ParticipantFilter {
        search: (flags & 1 != 0).then(|| search.clone()),
        program_id: (flags & 2 != 0).then_some(id),
        pathway_id: (flags & 4 != 0).then_some(id),
        status: (flags & 8 != 0).then(|| STATUSES[usize::from(flags >> 4) % STATUSES.len()]),
        org_id: (flags & 128 != 0).then_some(id),
    };
    let statements = list_statements(&scopes, &filter);
    let placeholder = ParticipantFilter {
        search: filter.search.as_ref().map(|s| {
            s.split_whitespace().map(|_| "w").collect::<Vec<_>>().join(" ")
        }),
        ..filter.clone()
    };
    let shapes = list_statements(&scopes, &placeholder);
    for (statement, shape) in statements.iter().zip(&shapes) {
        assert_eq!(statement.sql, shape.sql, "the search text changed the SQL");
        let values = |s: &sea_orm::Statement| s.values.as_ref().map_or(0, |v| v.0.len());
        assert_eq!(values(statement), values(shape));
    }
});
