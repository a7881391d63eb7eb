//! The story many tests share: Arts2Work (alliance-arts2work) keeps an
//! apprentice's records in every data category; HOLA, SpaceLA, WLCAC,
//! Harder+Co and IATSE Local 600 are the other organizations.

use chrono::{Days, NaiveDate, Utc};
use entity::enums::*;
use entity::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::insert_org;

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn days(n: i64) -> NaiveDate {
    if n >= 0 {
        today().checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        today().checked_sub_days(Days::new((-n) as u64)).unwrap()
    }
}

/// The organizations and reference rows of the story.
pub struct Story {
    /// alliance-arts2work, which keeps the records.
    pub owner: Uuid,
    /// hola, which asks for them.
    pub viewer: Uuid,
    /// spacela, a third partner.
    pub other: Uuid,
    pub program: Uuid,
    pub mentor: Uuid,
    pub competency: Uuid,
}

/// Inserts the story's organizations, pathway, program, mentor and competency.
pub async fn story(db: &DatabaseConnection) -> Story {
    let org = insert_org;
    let owner = org(db, "alliance-arts2work", OrgKind::TrainingPartner).await;
    let viewer = org(db, "hola", OrgKind::CommunityPartner).await;
    let other = org(db, "spacela", OrgKind::TrainingPartner).await;
    org(db, "wlcac", OrgKind::LeadAgency).await;
    org(db, "harder-co", OrgKind::Evaluator).await;
    let local = org(db, "iatse-local-600", OrgKind::Union).await;
    let now = Utc::now();
    let pathway = Uuid::new_v4();
    pathway::Entity::insert(pathway::ActiveModel {
        id: Set(pathway),
        code: Set("DIGITAL_VIDEO_EDITING".into()),
        name: Set("Digital Video Editing".into()),
        sector: Set("AME".into()),
        soc_code: Set(Some("27-4032".into())),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let program = Uuid::new_v4();
    program::Entity::insert(program::ActiveModel {
        id: Set(program),
        org_id: Set(owner),
        pathway_id: Set(Some(pathway)),
        name: Set("Arts2Work Registered Apprenticeship – Digital Video Editor".into()),
        kind: Set(ProgramKind::RegisteredApprenticeship),
        approach: Set(ProgramApproach::Hybrid),
        required_ojt_hours: Set(Some(2000.0)),
        required_rti_hours: Set(Some(144.0)),
        scheduled_hours: Set(Some(240.0)),
        stipend_threshold_pct: Set(Some(80.0)),
        site: Set(None),
        starts_on: Set(None),
        ends_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let mentor = Uuid::new_v4();
    mentor::Entity::insert(mentor::ActiveModel {
        id: Set(mentor),
        org_id: Set(local),
        name: Set("Ray Okafor".into()),
        email: Set(None),
        craft: Set(Some("Camera".into())),
        union_local: Set(Some("600".into())),
        active: Set(true),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let competency = Uuid::new_v4();
    competency::Entity::insert(competency::ActiveModel {
        id: Set(competency),
        pathway_id: Set(pathway),
        code: Set("DVE-T1".into()),
        name: Set("Edits to a cut list".into()),
        domain: Set(CompetencyDomain::Technical),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    Story {
        owner,
        viewer,
        other,
        program,
        mentor,
        competency,
    }
}

/// Arts2Work's apprentice number `n`, with a record in every category:
/// profile, link, an ACTIVE enrollment with hours (8 h OJT approved) and a
/// competency, a credential, a mentorship with a meeting, a dual
/// enrollment, a service and an outcome.
pub async fn participant_with_records(
    db: &DatabaseConnection,
    owner: Uuid,
    program: Uuid,
    mentor: Uuid,
    competency: Uuid,
    n: usize,
) -> Uuid {
    let now = Utc::now();
    let p = Uuid::new_v4();
    participant::Entity::insert(participant::ActiveModel {
        id: Set(p),
        match_key: Set(format!("k{p}")),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    participant_profile::Entity::insert(participant_profile::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        org_id: Set(owner),
        given_name: Set(format!("Marisol{n}")),
        family_name: Set("Quintero".into()),
        preferred_name: Set(Some("Mari".into())),
        birth_date: Set(NaiveDate::from_ymd_opt(2004, 4, 12)),
        email: Set(Some(format!("marisol{n}@example.com"))),
        phone: Set(Some("555-0142".into())),
        postal_code: Set(Some("90002".into())),
        gender: Set(Some("female".into())),
        race_ethnicity: Set(Some("Latina".into())),
        priority_populations: Set("FOSTER_YOUTH".into()),
        guardian_name: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    participant_link::Entity::insert(participant_link::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        org_id: Set(owner),
        external_id: Set(format!("A2W-{n:04}")),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let e = Uuid::new_v4();
    enrollment::Entity::insert(enrollment::ActiveModel {
        id: Set(e),
        participant_id: Set(p),
        program_id: Set(program),
        owner_org_id: Set(owner),
        status: Set(EnrollmentStatus::Active),
        applied_on: Set(days(-120)),
        started_on: Set(Some(days(-100))),
        exited_on: Set(None),
        exit_reason: Set(None),
        external_id: Set(None),
        source: Set("hub".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    enrollment_status_change::Entity::insert(enrollment_status_change::ActiveModel {
        id: Set(Uuid::new_v4()),
        enrollment_id: Set(e),
        owner_org_id: Set(owner),
        from_status: Set(None),
        to_status: Set(EnrollmentStatus::Active),
        changed_on: Set(days(-100)),
        reason: Set(None),
        changed_by: Set("staff@alliance-arts2work".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    for (kind, hours, approved) in [
        (HourKind::Ojt, 8.0, true),
        (HourKind::Ojt, 6.0, false),
        (HourKind::Rti, 4.0, true),
        (HourKind::Attendance, 200.0, true),
    ] {
        hour_log::Entity::insert(hour_log::ActiveModel {
            id: Set(Uuid::new_v4()),
            enrollment_id: Set(e),
            owner_org_id: Set(owner),
            kind: Set(kind),
            worked_on: Set(days(-30)),
            hours: Set(hours),
            logged_by: Set("staff@alliance-arts2work".into()),
            approved: Set(approved),
            approved_by: Set(None),
            approved_at: Set(None),
            external_id: Set(None),
            source: Set("hub".into()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    competency_attainment::Entity::insert(competency_attainment::ActiveModel {
        id: Set(Uuid::new_v4()),
        enrollment_id: Set(e),
        competency_id: Set(competency),
        owner_org_id: Set(owner),
        attained_on: Set(days(-10)),
        assessed_by: Set("staff@alliance-arts2work".into()),
        level: Set(3),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    credential::Entity::insert(credential::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        owner_org_id: Set(owner),
        issuer_org_id: Set(None),
        issuer_name: Set(Some("Adobe".into())),
        name: Set("Adobe Certified Professional – Premiere Pro".into()),
        kind: Set(CredentialKind::IndustryCertification),
        awarded_on: Set(days(-5)),
        expires_on: Set(None),
        evidence_url: Set(None),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let m = Uuid::new_v4();
    mentorship::Entity::insert(mentorship::ActiveModel {
        id: Set(m),
        participant_id: Set(p),
        mentor_id: Set(mentor),
        owner_org_id: Set(owner),
        status: Set(MentorshipStatus::Active),
        started_on: Set(Some(days(-60))),
        ended_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    mentorship_meeting::Entity::insert(mentorship_meeting::ActiveModel {
        id: Set(Uuid::new_v4()),
        mentorship_id: Set(m),
        owner_org_id: Set(owner),
        met_on: Set(days(-20)),
        minutes: Set(45),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    dual_enrollment::Entity::insert(dual_enrollment::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        owner_org_id: Set(owner),
        high_school_org_id: Set(owner),
        college_org_id: Set(owner),
        course_code: Set("FILM 101".into()),
        course_title: Set("Intro to Film".into()),
        term: Set("Fall 2026".into()),
        units_attempted: Set(3.0),
        units_earned: Set(None),
        grade: Set(None),
        status: Set(DualEnrollmentStatus::Enrolled),
        external_id: Set(None),
        source: Set("hub".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    service::Entity::insert(service::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        owner_org_id: Set(owner),
        provider_org_id: Set(owner),
        kind: Set(ServiceKind::Stipend),
        provided_on: Set(days(-3)),
        amount_cents: Set(Some(50_000)),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    outcome::Entity::insert(outcome::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(p),
        owner_org_id: Set(owner),
        kind: Set(OutcomeKind::Employed),
        employer_name: Set(Some("Studio".into())),
        occupation: Set(Some("Assistant Editor".into())),
        hourly_wage_cents: Set(Some(2800)),
        union_local: Set(None),
        started_on: Set(Some(days(-1))),
        verified: Set(true),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    p
}
