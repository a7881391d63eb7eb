//! The RAPIDS export: a registered-apprenticeship sponsor's apprentices in
//! the column layout of the federal RAPIDS bulk apprentice upload.
//!
//! The layout is [`LAYOUT`], one table: each column's name, whether the
//! upload requires it and where the hub takes its value from. Columns
//! 1–42 are the "Apprentice" sheet of the RAPIDS bulk upload as published by
//! the Council of State Governments' RAPIDS Apprentice Upload Specification
//! (github.com/csg-org/rapids-apprentice-upload-spec, `tableschema.json`,
//! commit b6f9f7a), in its order and with its required flags. That sheet
//! registers apprentices and has no place for progress, so the hub appends
//! six columns after it (sponsor, the hub's enrollment id, status, status
//! date, approved OJT and RTI hours). Correct the layout here, in one place.
//!
//! What the hub does not hold (social security numbers, street addresses,
//! wages, EEO self-identification codes, the sponsor's RAPIDS sheet ids) is
//! left blank for the sponsor to complete before upload; required columns
//! the hub does fill are checked on every line before anything is written.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{AuditAction, Category, EnrollmentStatus, ProgramKind};
use entity::{enrollment, organization, pathway, program};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::ground::error::{Error, Result};
use crate::people::participants::{
    ContactSlice, DemographicsSlice, IdentitySlice, pick, profile_slices,
};
use crate::policy::Scopes;
use crate::records::rules::HourTotals;

/// One apprentice's record, as the viewer may read it.
#[derive(Debug, Clone)]
pub struct Apprentice {
    pub enrollment: enrollment::Model,
    pub sponsor: String,
    pub occupation: Option<String>,
    pub identity: Option<IdentitySlice>,
    pub demographics: Option<DemographicsSlice>,
    pub contact: Option<ContactSlice>,
    pub hours: Option<HourTotals>,
}

/// Where a column's value comes from.
#[derive(Clone, Copy)]
pub enum Source {
    /// The hub fills it from the apprentice's record.
    Hub(fn(&Apprentice) -> Option<String>),
    /// The hub does not hold it: left blank for the sponsor to complete.
    Sponsor,
}

/// A column of the layout.
#[derive(Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub source: Source,
}

const fn hub(name: &'static str, required: bool, f: fn(&Apprentice) -> Option<String>) -> Column {
    Column {
        name,
        required,
        source: Source::Hub(f),
    }
}

const fn sponsor(name: &'static str, required: bool) -> Column {
    Column {
        name,
        required,
        source: Source::Sponsor,
    }
}

/// RAPIDS dates are MM/DD/YYYY.
fn us_date(day: Option<NaiveDate>) -> Option<String> {
    day.map(|d| d.format("%m/%d/%Y").to_string())
}

fn hours(value: f64) -> String {
    // Whole hours print without a fraction; quarter hours keep theirs.
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// RAPIDS gender codes: F, M, or 9 (did not self-identify).
fn gender_code(gender: Option<&str>) -> String {
    match gender.map(|g| g.trim().to_ascii_lowercase()).as_deref() {
        Some("f" | "female" | "woman") => "F".into(),
        Some("m" | "male" | "man") => "M".into(),
        _ => "9".into(),
    }
}

/// The apprentice's status in RAPIDS terms.
fn status(status: EnrollmentStatus) -> &'static str {
    match status {
        EnrollmentStatus::Completed => "Completed",
        EnrollmentStatus::Withdrawn | EnrollmentStatus::Cancelled => "Cancelled",
        EnrollmentStatus::Applied
        | EnrollmentStatus::Interviewed
        | EnrollmentStatus::Accepted
        | EnrollmentStatus::Active => "Active",
    }
}

/// The export's columns, in file order.
#[rustfmt::skip]
pub const LAYOUT: &[Column] = &[
    // The published RAPIDS bulk upload "Apprentice" sheet (CSG spec).
    hub("Date Apprenticeship Begins", true, |a| us_date(a.enrollment.started_on)),
    hub("Apprentice First Name", true, |a| a.identity.as_ref().map(|i| i.given_name.clone())),
    hub("Apprentice Last Name", true, |a| a.identity.as_ref().map(|i| i.family_name.clone())),
    sponsor("Apprentice Middle Name", false),
    sponsor("Apprentice Suffix", false),
    sponsor("Social Security Number", false),
    hub("Date of Birth", true, |a| us_date(a.demographics.as_ref().and_then(|d| d.birth_date))),
    hub("Gender", true, |a| Some(gender_code(a.demographics.as_ref().and_then(|d| d.gender.as_deref())))),
    sponsor("Employment Status", true),
    sponsor("Apprentice Street Address", true),
    sponsor("Apprentice City", true),
    sponsor("Apprentice State", true),
    hub("Apprentice 5-Digit Zip Code", true, |a| {
        let zip = a.contact.as_ref()?.postal_code.as_deref()?;
        (zip.len() >= 5 && zip[..5].bytes().all(|b| b.is_ascii_digit())).then(|| zip[..5].to_owned())
    }),
    hub("Telephone", false, |a| a.contact.as_ref().and_then(|c| c.phone.clone())),
    hub("Email", false, |a| a.contact.as_ref().and_then(|c| c.email.clone())),
    sponsor("Employer", false),
    sponsor("Ethnicity Hispanic / Latino", true),
    sponsor("Race-American Indian / Alaskan Native", true),
    sponsor("Asian", true),
    sponsor("Black / African American", true),
    sponsor("Native Hawaiian / Other Pacific Islander", true),
    sponsor("White", true),
    sponsor("Veteran Status", true),
    sponsor("Apprentice Disability Status", true),
    sponsor("Apprentice Education Level", true),
    hub("Occupation", true, |a| a.occupation.clone()),
    sponsor("Related Technical Instruction Provider", true),
    sponsor("Credit for previous experience", false),
    sponsor("Credit for Previous Related Training In Hours", false),
    sponsor("Prior Wages", true),
    sponsor("Prior Wage Units", true),
    sponsor("Entry Wages", true),
    sponsor("Entry Wage Units", true),
    sponsor("Wage Schedule", true),
    sponsor("Previously Completed Career Lattice Levels", false),
    sponsor("Career Connection", false),
    sponsor("WIOA Participant", false),
    sponsor("Type", false),
    sponsor("Career Linkage or Direct Entry", false),
    sponsor("TAA Participant", false),
    sponsor("On-the-Job Training Funding Sources", false),
    sponsor("Student Status", true),
    // The hub's progress columns, after the published sheet.
    hub("Sponsor", true, |a| Some(a.sponsor.clone())),
    hub("Sponsor Apprentice ID", true, |a| Some(a.enrollment.id.to_string())),
    hub("Apprentice Status", true, |a| Some(status(a.enrollment.status).into())),
    hub("Status Date", false, |a| us_date(a.enrollment.exited_on)),
    hub("OJT Hours", true, |a| a.hours.as_ref().map(|h| hours(h.ojt_approved))),
    hub("RTI Hours", true, |a| a.hours.as_ref().map(|h| hours(h.rti_approved))),
];

/// How many leading columns of [`LAYOUT`] are the published sheet.
pub const PUBLISHED_COLUMNS: usize = 42;

/// A required value the hub does not have, by line (the header is line 1)
/// and column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: &'static str,
}

/// The file's lines (without the header), or every missing required value.
pub fn lines(apprentices: &[Apprentice]) -> std::result::Result<Vec<Vec<String>>, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut lines = Vec::with_capacity(apprentices.len());
    for (i, a) in apprentices.iter().enumerate() {
        let mut line = Vec::with_capacity(LAYOUT.len());
        for column in LAYOUT {
            let value = match column.source {
                Source::Hub(f) => f(a).filter(|v| !v.trim().is_empty()),
                Source::Sponsor => Some(String::new()),
            };
            if value.is_none() && column.required {
                errors.push(LineError {
                    line: i + 2,
                    column: column.name,
                });
            }
            line.push(value.unwrap_or_default());
        }
        lines.push(line);
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// The header line's column names.
pub fn header() -> impl Iterator<Item = &'static str> {
    LAYOUT.iter().map(|c| c.name)
}

/// The categories an exported line discloses.
const CATEGORIES: [Category; 5] = [
    Category::Identity,
    Category::Demographics,
    Category::Contact,
    Category::Enrollment,
    Category::Progress,
];

/// The viewer's organization's registered apprentices (enrollments it
/// keeps in its REGISTERED_APPRENTICESHIP programs that have begun), read
/// through the viewer's scopes, oldest start first.
pub async fn apprentices(db: &DatabaseConnection, scopes: &Scopes) -> Result<Vec<Apprentice>> {
    let viewer = scopes.viewer();
    crate::policy::require_participant_reader(viewer)?;
    let scope = scopes.of(Category::Enrollment);
    let enrollments = enrollment::Entity::find()
        .join(JoinType::InnerJoin, enrollment::Relation::Program.def())
        .filter(program::Column::Kind.eq(ProgramKind::RegisteredApprenticeship))
        .filter(program::Column::OrgId.eq(viewer.org_id))
        .filter(enrollment::Column::OwnerOrgId.eq(viewer.org_id))
        .filter(enrollment::Column::StartedOn.is_not_null())
        .filter(scope.condition(
            (enrollment::Entity, enrollment::Column::OwnerOrgId),
            (enrollment::Entity, enrollment::Column::ParticipantId),
        ))
        .order_by_asc(enrollment::Column::StartedOn)
        .order_by_asc(enrollment::Column::Id)
        .all(db)
        .await?;
    let sponsor = organization::Entity::find_by_id(viewer.org_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("organization"))?
        .name;
    let program_ids: Vec<Uuid> = enrollments.iter().map(|e| e.program_id).collect();
    let programs: HashMap<Uuid, program::Model> = program::Entity::find()
        .filter(program::Column::Id.is_in(program_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let pathway_ids: Vec<Uuid> = programs.values().filter_map(|p| p.pathway_id).collect();
    let occupations: HashMap<Uuid, Option<String>> = pathway::Entity::find()
        .filter(pathway::Column::Id.is_in(pathway_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.soc_code))
        .collect();
    let people: Vec<Uuid> = enrollments.iter().map(|e| e.participant_id).collect();
    let identity = profile_slices::<IdentitySlice, _>(db, scopes, &people).await?;
    let demographics = profile_slices::<DemographicsSlice, _>(db, scopes, &people).await?;
    let contact = profile_slices::<ContactSlice, _>(db, scopes, &people).await?;
    let ids: Vec<Uuid> = enrollments.iter().map(|e| e.id).collect();
    let mut totals = crate::records::reads::hour_totals(db, scopes, &ids).await?;
    Ok(enrollments
        .into_iter()
        .map(|e| {
            let p = e.participant_id;
            let identity: Vec<_> = identity
                .iter()
                .filter(|s| s.participant_id == p)
                .cloned()
                .collect();
            let demographics: Vec<_> = demographics
                .iter()
                .filter(|s| s.participant_id == p)
                .cloned()
                .collect();
            let contact: Vec<_> = contact
                .iter()
                .filter(|s| s.participant_id == p)
                .cloned()
                .collect();
            let occupation = programs
                .get(&e.program_id)
                .and_then(|p| p.pathway_id)
                .and_then(|id| occupations.get(&id).cloned().flatten());
            Apprentice {
                sponsor: sponsor.clone(),
                occupation,
                identity: pick(&identity, viewer.org_id).cloned(),
                demographics: pick(&demographics, viewer.org_id).cloned(),
                contact: pick(&contact, viewer.org_id).cloned(),
                hours: totals.remove(&e.id),
                enrollment: e,
            }
        })
        .collect())
}

/// Records the export: one EXPORT entry per apprentice line.
pub async fn audit_export(
    db: &DatabaseConnection,
    actor: &Actor,
    apprentices: &[Apprentice],
) -> Result<()> {
    let entries = apprentices
        .iter()
        .map(|a| {
            let mut entry = Entry::about(
                AuditAction::Export,
                "enrollment",
                a.enrollment.id,
                Some(a.enrollment.owner_org_id),
            );
            entry.participant_id = Some(a.enrollment.participant_id);
            entry.categories = CATEGORIES.to_vec();
            entry.detail = Some("format=rapids".into());
            entry
        })
        .collect();
    audit::record(db, actor, entries).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_sheet_comes_first_and_names_are_unique() {
        assert_eq!(LAYOUT[0].name, "Date Apprenticeship Begins");
        assert_eq!(LAYOUT[PUBLISHED_COLUMNS - 1].name, "Student Status");
        let mut names: Vec<_> = LAYOUT.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LAYOUT.len());
    }

    #[test]
    fn codes_and_numbers_in_rapids_terms() {
        assert_eq!(gender_code(Some("Female")), "F");
        assert_eq!(gender_code(Some("non-binary")), "9");
        assert_eq!(gender_code(None), "9");
        assert_eq!(hours(2000.0), "2000");
        assert_eq!(hours(7.25), "7.25");
        assert_eq!(
            us_date(NaiveDate::from_ymd_opt(2025, 7, 1)),
            Some("07/01/2025".into())
        );
        assert_eq!(status(EnrollmentStatus::Withdrawn), "Cancelled");
    }
}
