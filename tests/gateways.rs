//! The hub behind two spec-compliant federation gateways (Apollo Gateway and
//! Hive Gateway, from npm): a partner's page has the same data and the same
//! errors (path, `extensions.code`, `extensions.category`) through either
//! gateway as from the hub directly. A refused field nulls that field only,
//! so one refused number never blanks a partner's page.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::gateways::{Gateway, error_keys, first_difference, partner_pages, through};
use common::*;
use serde_json::json;

/// The case-manager page with a field of every data category, so that the
/// demo's agreements and consents refuse some fields to most partners.
const PAGE: &str = "query($after: String) { participants(first: 50, after: $after) { totalCount edges { node {
  id givenName familyName preferredName email phone postalCode birthDate gender priorityPopulations
  links { externalId }
  enrollments { status program { name } ojtHours rtiHours attendancePct stipendEligible hourLogs { workedOn kind hours approved } }
  credentials { name kind } mentorships { status mentor { name craft } } dualEnrollments { courseCode unitsEarned }
  services { kind } outcomes { kind }
} } } }";

hub_test!(
    every_partners_page_is_the_same_through_hive_apollo_and_the_hub,
    |backend| {
        let app = spawn_app(backend).await;
        let admin = app.hub_admin();
        let (slugs, requests, direct) = partner_pages(&app, PAGE).await;
        // The page is worth comparing: partners see youth, and the policy
        // refuses fields of some of them (HOLA: PROGRESS and SENSITIVE).
        let hola = slugs.iter().position(|s| s == "hola").unwrap();
        let edges = direct[hola]["data"]["participants"]["edges"]
            .as_array()
            .unwrap();
        assert!(!edges.is_empty(), "{:#}", direct[hola]);
        let refused = error_keys(&direct[hola]);
        assert!(
            refused
                .iter()
                .any(|(_, code, category, _)| code == "FORBIDDEN" && category == "PROGRESS"),
            "{refused:?}"
        );
        assert!(
            refused
                .iter()
                .any(|(_, _, category, _)| category == "SENSITIVE"),
            "{refused:?}"
        );
        for gateway in [Gateway::Apollo, Gateway::Hive] {
            let answers = through(gateway, &app.url, &admin, &requests).await;
            assert_eq!(answers.len(), requests.len());
            for ((slug, hub), answer) in slugs.iter().zip(&direct).zip(&answers) {
                assert_conforms(&json!({ "query": PAGE }), answer);
                assert_eq!(
                    first_difference(&answer["data"], &hub["data"]),
                    None,
                    "{} as staff of {slug}: data differs from the hub's",
                    gateway.name()
                );
                assert_eq!(
                    error_keys(answer),
                    error_keys(hub),
                    "{} as staff of {slug}: errors differ from the hub's",
                    gateway.name()
                );
            }
        }
    }
);
