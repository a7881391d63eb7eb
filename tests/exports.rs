//! Exports in federal and open formats, through the real binary:
//! `export rapids` writes a sponsor's registered apprentices in the RAPIDS
//! bulk upload layout, or, when a required value is missing, names every
//! missing value by line and column and writes nothing.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::story::{Story, date};
use common::{TestApp, spawn_app_with};
use entity::enums::{EnrollmentStatus, HourKind, OrgKind, ProgramApproach, ProgramKind};
use sea_orm::EntityTrait;

const HEADER: &str = include_str!("fixtures/rapids_header.csv");

/// `pathways-hub export rapids --org ORG --out rapids.csv` on the test
/// server's database, from a folder holding only its configuration.
fn export(app: &TestApp, dir: &Path, org: &str) -> Output {
    std::fs::write(
        dir.join("pathways-hub.toml"),
        format!(
            "database_url = {:?}\nmatch_key_secret = {:?}\n[auth]\nhs256_secret = {:?}\n",
            app.state.config.database_url,
            common::TEST_MATCH_SECRET,
            common::TEST_SECRET,
        ),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pathways-hub"));
    command.current_dir(dir).env_remove("DATABASE_URL");
    for (key, _) in std::env::vars() {
        if key.starts_with("PATHWAYS_") {
            command.env_remove(key);
        }
    }
    command
        .args(["export", "rapids", "--org", org, "--out", "rapids.csv"])
        .output()
        .unwrap()
}

fn read(dir: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join("rapids.csv"))
        .unwrap();
    reader.records().map(Result::unwrap).collect()
}

hub_test!(
    rapids_lines_carry_the_layout_and_approved_hours,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let s = Story::new(&app.db);
        let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
        let hola = s.org("hola", OrgKind::CommunityPartner).await;
        let dve = s
            .pathway("DVE", "Digital Video Editing")
            .soc_code("27-4032")
            .await;
        let ra = s
            .program(a2w, "Registered Apprenticeship – Digital Video Editor")
            .kind(
                ProgramKind::RegisteredApprenticeship,
                ProgramApproach::Hybrid,
            )
            .pathway(dve)
            .ojt(2000.0)
            .rti(144.0)
            .await;
        let youth = s
            .participant()
            .known_to(&[a2w, hola], "Dani", "Reyes, Jr")
            .born(date(2005, 3, 9))
            .profile(|p| {
                p.postal_code = sea_orm::Set(Some("90059-1234".into()));
                p.gender = sea_orm::Set(Some("female".into()));
            })
            .await;
        let e = s.enroll(youth, &ra).started(date(2025, 7, 1)).await;
        for (kind, hours, approved) in [
            (HourKind::Ojt, 8.0, true),
            (HourKind::Ojt, 7.5, true),
            (HourKind::Ojt, 6.0, false),
            (HourKind::Rti, 3.0, true),
            (HourKind::Rti, 2.0, false),
        ] {
            s.hours(&e, kind, hours).approved(approved).await;
        }
        // Not exported: an applicant who has not begun, and another
        // organization's program.
        let later = s.participant().known_to(&[a2w], "Ana", "Ruiz").await;
        s.enroll(later, &ra).status(EnrollmentStatus::Applied).await;
        let hola_program = s
            .program(hola, "HOLA apprenticeship")
            .kind(ProgramKind::RegisteredApprenticeship, ProgramApproach::Time)
            .await;
        s.enroll(youth, &hola_program)
            .started(date(2025, 1, 6))
            .await;

        let dir = tempfile::tempdir().unwrap();
        let output = export(&app, dir.path(), "alliance-arts2work");
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("1 apprentice line(s)"), "{stdout}");

        let text = std::fs::read_to_string(dir.path().join("rapids.csv")).unwrap();
        assert_eq!(text.lines().next().unwrap(), HEADER.trim_end());
        let records = read(dir.path());
        assert_eq!(records.len(), 2, "header and one apprentice: {text}");
        let header = &records[0];
        let line = &records[1];
        let value = |name: &str| {
            let at = header.iter().position(|h| h == name).unwrap();
            line.get(at).unwrap().to_owned()
        };
        let sponsor = entity::organization::Entity::find_by_id(a2w)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .name;
        assert_eq!(value("Date Apprenticeship Begins"), "07/01/2025");
        assert_eq!(value("Apprentice First Name"), "Dani");
        assert_eq!(value("Apprentice Last Name"), "Reyes, Jr");
        assert_eq!(value("Date of Birth"), "03/09/2005");
        assert_eq!(value("Gender"), "F");
        assert_eq!(value("Apprentice 5-Digit Zip Code"), "90059");
        assert_eq!(value("Occupation"), "27-4032");
        assert_eq!(value("Social Security Number"), "");
        assert_eq!(value("Sponsor"), sponsor);
        assert_eq!(value("Sponsor Apprentice ID"), e.id.to_string());
        assert_eq!(value("Apprentice Status"), "Active");
        // Only approved hours count: 8 + 7.5 OJT, 3 RTI.
        assert_eq!(value("OJT Hours"), "15.5");
        assert_eq!(value("RTI Hours"), "3");

        let exported = app.count("audit_event").await;
        assert_eq!(exported, 1, "one EXPORT entry per apprentice line");
    }
);

hub_test!(
    rapids_names_missing_values_by_line_and_writes_nothing,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let s = Story::new(&app.db);
        let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
        // A pathway without an occupation code.
        let gd = s.pathway("GD", "Graphic Design").await;
        let ra = s
            .program(a2w, "Registered Apprenticeship – Graphic Designer")
            .kind(
                ProgramKind::RegisteredApprenticeship,
                ProgramApproach::Hybrid,
            )
            .pathway(gd)
            .await;
        let complete = s
            .participant()
            .known_to(&[a2w], "Dani", "Reyes")
            .born(date(2005, 3, 9))
            .profile(|p| p.postal_code = sea_orm::Set(Some("90059".into())))
            .await;
        s.enroll(complete, &ra).started(date(2025, 7, 1)).await;
        // Second line: no birth date either.
        let unborn = s
            .participant()
            .known_to(&[a2w], "Ana", "Ruiz")
            .profile(|p| p.postal_code = sea_orm::Set(Some("90011".into())))
            .await;
        s.enroll(unborn, &ra).started(date(2025, 8, 4)).await;

        let dir = tempfile::tempdir().unwrap();
        let output = export(&app, dir.path(), "alliance-arts2work");
        assert!(!output.status.success(), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("line 2, column Occupation"), "{stderr}");
        assert!(stderr.contains("line 3, column Date of Birth"), "{stderr}");
        assert!(stderr.contains("line 3, column Occupation"), "{stderr}");
        assert!(!stderr.contains("line 2, column Date of Birth"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert!(!dir.path().join("rapids.csv").exists());
        assert_eq!(app.count("audit_event").await, 0);

        let output = export(&app, dir.path(), "nobody");
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("no organization"));
    }
);
