//! A fixed fuzz run (proptest, fixed seed) over the CSV import's parsing
//! and the participant filters: random and near-valid inputs never panic,
//! never answer 5xx, and are refused with line errors or a code.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use pathways_hub::audit::Actor;
use pathways_hub::auth::{Role, Viewer};
use pathways_hub::import::{self, ImportKind};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Value, json};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(20261125),
        failure_persistence: None,
        ..Config::default()
    })
}

/// A cell: usual values, empty, quotes, separators, unicode and controls.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2026-13-45".to_owned()),
        Just("2004-05-01".to_owned()),
        Just("OJT".to_owned()),
        Just("8".to_owned()),
        Just("-1e309".to_owned()),
        Just("NaN".to_owned()),
        Just("\"quoted, with comma\"".to_owned()),
        "[a-zA-Z0-9 _@.;:'\"\\-]{0,20}",
        "\\PC{0,12}",
        prop::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
}

/// A file: a known or broken header, then lines of random cells; or bytes.
fn file(columns: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(columns.join(",")),
        Just(columns[..columns.len() / 2].join(",")),
        "[a-z_,]{0,40}",
    ];
    let structured = (
        header,
        prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..20),
    )
        .prop_map(|(header, lines)| {
            let mut text = header;
            for line in lines {
                text.push('\n');
                text.push_str(&line.join(","));
            }
            text.into_bytes()
        });
    prop_oneof![structured, prop::collection::vec(any::<u8>(), 0..400)]
}

hub_test!(import_parsing_never_panics, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let org = insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    let viewer = Viewer {
        subject: "fuzz@wlcac".into(),
        org_id: org,
        org_slug: "wlcac".into(),
        roles: vec![Role::Staff],
        participant_id: None,
        reach: None,
    };
    let actor = Actor::of(&viewer, "fuzz");
    let handle = tokio::runtime::Handle::current();
    for (kind, columns) in [
        (ImportKind::Participants, import::PARTICIPANT_COLUMNS),
        (ImportKind::Enrollments, import::ENROLLMENT_COLUMNS),
        (ImportKind::Hours, import::HOUR_COLUMNS),
    ] {
        let mut runner = runner(48);
        runner
            .run(&file(columns), |bytes| {
                let summary = tokio::task::block_in_place(|| {
                    handle.block_on(import::run(
                        &app.db,
                        TEST_MATCH_SECRET.as_bytes(),
                        &viewer,
                        &actor,
                        kind,
                        &bytes[..],
                        true,
                        false,
                    ))
                });
                let summary = summary.map_err(|e| TestCaseError::fail(e.message()))?;
                prop_assert!(summary.errors.iter().all(|e| e.line >= 1));
                Ok(())
            })
            .unwrap();
    }
    assert_eq!(app.count("participant").await, 0, "dry runs wrote nothing");
});

hub_test!(participant_filters_never_fail_the_server, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    let staff = app.staff("wlcac");
    let handle = tokio::runtime::Handle::current();
    let text = prop_oneof!["\\PC{0,30}", "[%_'\";\\\\*()-]{0,12}", Just(String::new())];
    let filter = (text.clone(), text.clone(), text, -5i64..200, any::<bool>());
    let mut runner = runner(64);
    runner
        .run(&filter, |(search, org, pathway, first, uuid)| {
            let variables = json!({
                "f": { "search": search, "orgSlug": org, "pathwayCode": pathway,
                       "programId": if uuid { uuid::Uuid::new_v4().to_string() } else { search.clone() } },
                "n": first,
            });
            let (status, answer) = tokio::task::block_in_place(|| {
                handle.block_on(app.post(
                    Some(&staff),
                    json!({ "query": "query($f: ParticipantFilterInput, $n: Int) { participants(first: $n, filter: $f) { totalCount } }", "variables": variables }),
                ))
            });
            prop_assert!(status < 500, "{status}: {answer}");
            let code = answer["errors"][0]["extensions"]["code"].clone();
            prop_assert!(
                code == Value::Null || code == "BAD_USER_INPUT",
                "{answer}"
            );
            Ok(())
        })
        .unwrap();
});
