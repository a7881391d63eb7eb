//! The partner story, written straight into the hub's database: one
//! builder, [`Story`], with a method for each kind of row (organization,
//! pathway, program, participant with profiles, link, enrollment, hours,
//! records, agreement, consent). Each method returns a row that takes
//! chained setters for what differs from its defaults and is inserted when
//! awaited, answering the id (or handle) the test uses:
//!
//! ```ignore
//! let s = Story::new(&app.db);
//! let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
//! let program = s.program(a2w, "Registered Apprenticeship").ojt(2000.0).await;
//! let youth = s.participant().known_to(&[a2w], "Dani0", "Reyes").await;
//! let e = s.enroll(youth, &program).status(EnrollmentStatus::Completed).await;
//! s.hours(&e, HourKind::Ojt, 8.0).approved(true).await;
//! ```
//!
//! [`Story::partners`] and [`Story::apprentice`] build the story many tests
//! share: Arts2Work (alliance-arts2work) keeps an apprentice's records in
//! every data category; HOLA, SpaceLA, WLCAC, Harder+Co and IATSE Local 600
//! are the other organizations.

use std::collections::HashMap;
use std::convert::identity;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Mutex;

use chrono::{Days, NaiveDate, Utc};
use entity::enums::*;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IdenStatic, Iterable,
};
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

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A program and the organization that runs it.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub id: Uuid,
    pub org: Uuid,
}

/// An enrollment and the organization that owns it.
#[derive(Debug, Clone, Copy)]
pub struct Enrollment {
    pub id: Uuid,
    pub owner: Uuid,
}

/// Writes the story's rows into one database; remembers the slug of every
/// organization it inserted, so that defaults such as `logged_by` name the
/// owner's staff (`staff@<slug>`).
pub struct Story {
    db: DatabaseConnection,
    slugs: Mutex<HashMap<Uuid, String>>,
}

/// One row to insert: chained setters change it, `.await` inserts it and
/// answers `T` (its id, or a handle).
#[must_use = "a row is inserted only when awaited"]
pub struct Row<A, T = Uuid> {
    db: DatabaseConnection,
    model: A,
    made: T,
}

impl<A, T> Row<A, T> {
    /// Changes any column the named setters do not cover.
    pub fn with(mut self, change: impl FnOnce(&mut A)) -> Self {
        change(&mut self.model);
        self
    }
}

impl<A, T> IntoFuture for Row<A, T>
where
    A: ActiveModelTrait + Send + 'static,
    T: Send + 'static,
{
    type Output = T;
    type IntoFuture = Pin<Box<dyn Future<Output = T> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            A::Entity::insert(self.model)
                .exec_without_returning(&self.db)
                .await
                .unwrap();
            let table = sea_orm::EntityName::table_name(&A::Entity::default());
            if matches!(
                table,
                "participant_profile" | "consent" | "sharing_agreement"
            ) {
                relist(&self.db).await;
            }
            self.made
        })
    }
}

/// What the hub does in the transaction of every write that moves who may
/// list whom: the story writes rows directly, so it rebuilds the grants.
pub async fn relist(db: &DatabaseConnection) {
    pathways_hub::policy::listing::refresh(db, pathways_hub::policy::listing::Touched::Everyone)
        .await
        .unwrap();
}

/// Sets the columns every table of the story shares: `id`, `created_at`
/// and `updated_at` (now), and where the table has them `source` ("hub")
/// and `version` (1).
fn stamp<A: ActiveModelTrait>(model: &mut A, id: Uuid) {
    let now = Utc::now();
    for column in <A::Entity as EntityTrait>::Column::iter() {
        let value: sea_orm::Value = match column.as_str() {
            "id" => id.into(),
            "created_at" | "updated_at" => now.into(),
            "source" => "hub".into(),
            "version" => 1i32.into(),
            _ => continue,
        };
        model.set(column, value);
    }
}

impl Story {
    pub fn new(db: &DatabaseConnection) -> Story {
        Story {
            db: db.clone(),
            slugs: Mutex::default(),
        }
    }

    /// `model`, stamped with a new id, answering `made(id)` when awaited.
    fn row<A: ActiveModelTrait, T>(&self, mut model: A, made: impl FnOnce(Uuid) -> T) -> Row<A, T> {
        let id = Uuid::new_v4();
        stamp(&mut model, id);
        Row {
            db: self.db.clone(),
            model,
            made: made(id),
        }
    }

    /// `<role>@<slug>` of an organization of the story (`<role>@partner`
    /// for one it did not insert).
    fn who(&self, role: &str, org: Uuid) -> String {
        let slugs = self.slugs.lock().unwrap();
        let slug = slugs.get(&org).map_or("partner", String::as_str);
        format!("{role}@{slug}")
    }

    /// Another organization's profile of an existing participant (a second
    /// holder of the youth), named `given family`.
    pub async fn holder(&self, participant: Uuid, org: Uuid, given: &str, family: &str) {
        let now = Utc::now();
        participant_profile::Entity::insert(participant_profile::ActiveModel {
            id: Set(Uuid::new_v4()),
            participant_id: Set(participant),
            org_id: Set(org),
            given_name: Set(given.into()),
            family_name: Set(family.into()),
            priority_populations: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await
        .unwrap();
        relist(&self.db).await;
    }

    /// The id of an organization the story inserted.
    pub fn id(&self, slug: &str) -> Uuid {
        let slugs = self.slugs.lock().unwrap();
        let found = slugs.iter().find(|(_, s)| s.as_str() == slug);
        *found.unwrap_or_else(|| panic!("no organization {slug}")).0
    }

    /// An organization (see [`insert_org`]).
    pub async fn org(&self, slug: &str, kind: OrgKind) -> Uuid {
        let id = insert_org(&self.db, slug, kind).await;
        self.slugs.lock().unwrap().insert(id, slug.to_owned());
        id
    }

    /// A pathway of the AME sector.
    pub fn pathway(&self, code: &str, name: &str) -> Row<pathway::ActiveModel> {
        let model = pathway::ActiveModel {
            code: Set(code.into()),
            name: Set(name.into()),
            sector: Set("AME".into()),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A technical competency of a pathway.
    pub fn competency(
        &self,
        pathway: Uuid,
        code: &str,
        name: &str,
    ) -> Row<competency::ActiveModel> {
        let model = competency::ActiveModel {
            pathway_id: Set(pathway),
            code: Set(code.into()),
            name: Set(name.into()),
            domain: Set(CompetencyDomain::Technical),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A time-based training cohort of `org`, outside any pathway, without
    /// hour requirements.
    pub fn program(&self, org: Uuid, name: &str) -> Row<program::ActiveModel, Program> {
        let model = program::ActiveModel {
            org_id: Set(org),
            name: Set(name.into()),
            kind: Set(ProgramKind::TrainingCohort),
            approach: Set(ProgramApproach::Time),
            ..Default::default()
        };
        self.row(model, |id| Program { id, org })
    }

    /// An active mentor of `org`, without craft or union local.
    pub fn mentor(&self, org: Uuid, name: &str) -> Row<mentor::ActiveModel> {
        let model = mentor::ActiveModel {
            org_id: Set(org),
            name: Set(name.into()),
            active: Set(true),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A participant, known to nobody until `.known_to(...)`.
    pub fn participant(&self) -> Participant {
        Participant {
            db: self.db.clone(),
            id: Uuid::new_v4(),
            orgs: Vec::new(),
            profile: participant_profile::ActiveModel {
                given_name: Set(String::new()),
                family_name: Set(String::new()),
                priority_populations: Set(String::new()),
                ..Default::default()
            },
        }
    }

    /// `org`'s own id for a participant.
    pub fn link(
        &self,
        participant: Uuid,
        org: Uuid,
        external_id: &str,
    ) -> Row<participant_link::ActiveModel> {
        let model = participant_link::ActiveModel {
            participant_id: Set(participant),
            org_id: Set(org),
            external_id: Set(external_id.to_owned()),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// An ACTIVE enrollment in `program`, owned by the program's
    /// organization, applied for today and not started.
    pub fn enroll(
        &self,
        participant: Uuid,
        program: &Program,
    ) -> Row<enrollment::ActiveModel, Enrollment> {
        let owner = program.org;
        let model = enrollment::ActiveModel {
            participant_id: Set(participant),
            program_id: Set(program.id),
            owner_org_id: Set(owner),
            status: Set(EnrollmentStatus::Active),
            applied_on: Set(today()),
            ..Default::default()
        };
        self.row(model, |id| Enrollment { id, owner })
    }

    /// The enrollment's first status, `to` on `on`, set by the owner's staff.
    pub fn status_change(
        &self,
        e: &Enrollment,
        to: EnrollmentStatus,
        on: NaiveDate,
    ) -> Row<enrollment_status_change::ActiveModel> {
        let model = enrollment_status_change::ActiveModel {
            enrollment_id: Set(e.id),
            owner_org_id: Set(e.owner),
            to_status: Set(to),
            changed_on: Set(on),
            changed_by: Set(self.who("staff", e.owner)),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// `hours` of `kind` worked today, logged by the owner's staff, not
    /// approved.
    pub fn hours(&self, e: &Enrollment, kind: HourKind, hours: f64) -> Row<hour_log::ActiveModel> {
        let model = hour_log::ActiveModel {
            enrollment_id: Set(e.id),
            owner_org_id: Set(e.owner),
            kind: Set(kind),
            worked_on: Set(today()),
            hours: Set(hours),
            logged_by: Set(self.who("staff", e.owner)),
            approved: Set(false),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A competency attained on `on` at level 3, assessed by the owner's staff.
    pub fn attainment(
        &self,
        e: &Enrollment,
        competency: Uuid,
        on: NaiveDate,
    ) -> Row<competency_attainment::ActiveModel> {
        let model = competency_attainment::ActiveModel {
            enrollment_id: Set(e.id),
            competency_id: Set(competency),
            owner_org_id: Set(e.owner),
            attained_on: Set(on),
            assessed_by: Set(self.who("staff", e.owner)),
            level: Set(3),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// An industry certification `name` issued by Adobe.
    pub fn credential(
        &self,
        participant: Uuid,
        owner: Uuid,
        name: &str,
        awarded: NaiveDate,
    ) -> Row<credential::ActiveModel> {
        let model = credential::ActiveModel {
            participant_id: Set(participant),
            owner_org_id: Set(owner),
            issuer_name: Set(Some("Adobe".into())),
            name: Set(name.into()),
            kind: Set(CredentialKind::IndustryCertification),
            awarded_on: Set(awarded),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// An active mentorship.
    pub fn mentorship(
        &self,
        participant: Uuid,
        mentor: Uuid,
        owner: Uuid,
        started: NaiveDate,
    ) -> Row<mentorship::ActiveModel> {
        let model = mentorship::ActiveModel {
            participant_id: Set(participant),
            mentor_id: Set(mentor),
            owner_org_id: Set(owner),
            status: Set(MentorshipStatus::Active),
            started_on: Set(Some(started)),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A meeting of a mentorship.
    pub fn meeting(
        &self,
        mentorship: Uuid,
        owner: Uuid,
        met: NaiveDate,
        minutes: i32,
    ) -> Row<mentorship_meeting::ActiveModel> {
        let model = mentorship_meeting::ActiveModel {
            mentorship_id: Set(mentorship),
            owner_org_id: Set(owner),
            met_on: Set(met),
            minutes: Set(minutes),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// "FILM 101 Intro to Film", Fall 2026, 3 units attempted, none earned
    /// yet; the owner is also the high school and the college.
    pub fn dual_enrollment(
        &self,
        participant: Uuid,
        owner: Uuid,
    ) -> Row<dual_enrollment::ActiveModel> {
        let model = dual_enrollment::ActiveModel {
            participant_id: Set(participant),
            owner_org_id: Set(owner),
            high_school_org_id: Set(owner),
            college_org_id: Set(owner),
            course_code: Set("FILM 101".into()),
            course_title: Set("Intro to Film".into()),
            term: Set("Fall 2026".into()),
            units_attempted: Set(3.0),
            status: Set(DualEnrollmentStatus::Enrolled),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A service the owner provided, without an amount.
    pub fn service(
        &self,
        participant: Uuid,
        owner: Uuid,
        kind: ServiceKind,
        on: NaiveDate,
    ) -> Row<service::ActiveModel> {
        let model = service::ActiveModel {
            participant_id: Set(participant),
            owner_org_id: Set(owner),
            provider_org_id: Set(owner),
            kind: Set(kind),
            provided_on: Set(on),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// A verified job as `occupation` at "Studio".
    pub fn employed(
        &self,
        participant: Uuid,
        owner: Uuid,
        occupation: &str,
        wage_cents: i64,
        started: NaiveDate,
    ) -> Row<outcome::ActiveModel> {
        let model = outcome::ActiveModel {
            participant_id: Set(participant),
            owner_org_id: Set(owner),
            kind: Set(OutcomeKind::Employed),
            employer_name: Set(Some("Studio".into())),
            occupation: Set(Some(occupation.into())),
            hourly_wage_cents: Set(Some(wage_cents)),
            started_on: Set(Some(started)),
            verified: Set(true),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// An ACTIVE agreement: `provider` shares `categories` (comma-separated)
    /// with `recipient` for SERVICE_COORDINATION without consent, from
    /// today on, proposed by the provider's admin.
    pub fn agreement(
        &self,
        provider: Uuid,
        recipient: Uuid,
        categories: &str,
    ) -> Row<sharing_agreement::ActiveModel> {
        let model = sharing_agreement::ActiveModel {
            provider_org_id: Set(provider),
            recipient_org_id: Set(recipient),
            categories: Set(categories.to_owned()),
            purpose: Set(SharingPurpose::ServiceCoordination),
            requires_consent: Set(false),
            status: Set(AgreementStatus::Active),
            effective_on: Set(today()),
            proposed_by: Set(self.who("admin", provider)),
            ..Default::default()
        };
        self.row(model, identity)
    }

    /// The participant's own ACTIVE consent, recorded by `owner`: to share
    /// `categories` (comma-separated) with any recipient for
    /// SERVICE_COORDINATION, signed a week ago.
    pub fn consent(
        &self,
        participant: Uuid,
        owner: Uuid,
        categories: &str,
    ) -> Row<consent::ActiveModel> {
        let model = consent::ActiveModel {
            participant_id: Set(participant),
            owner_org_id: Set(owner),
            recipient_org_id: Set(None),
            categories: Set(categories.to_owned()),
            purpose: Set(SharingPurpose::ServiceCoordination),
            granted_by: Set("SELF".into()),
            signed_on: Set(days(-7)),
            status: Set(ConsentStatus::Active),
            ..Default::default()
        };
        self.row(model, identity)
    }
}

/// Named setters of a kind of row: `name(value)` sets `column` to the
/// value (`Some(value)` where a wrapper is named), converted with `into`.
macro_rules! setters {
    ($row:ty { $($(#[$doc:meta])* $name:ident($t:ty) => $column:ident $(($wrap:path))?;)* }) => {
        impl $row {
            $($(#[$doc])*
            pub fn $name(self, value: $t) -> Self {
                self.with(|m| m.$column = Set($($wrap)?(value.into())))
            })*
        }
    };
}

setters!(Row<pathway::ActiveModel> {
    soc_code(&str) => soc_code(Some);
});

setters!(Row<program::ActiveModel, Program> {
    pathway(Uuid) => pathway_id(Some);
    /// Required on-the-job training hours.
    ojt(f64) => required_ojt_hours(Some);
    /// Required related-instruction hours.
    rti(f64) => required_rti_hours(Some);
    scheduled(f64) => scheduled_hours(Some);
    /// The attendance (in %) that earns the stipend.
    stipend_pct(f64) => stipend_threshold_pct(Some);
});

impl Row<program::ActiveModel, Program> {
    pub fn kind(self, kind: ProgramKind, approach: ProgramApproach) -> Self {
        self.with(|m| {
            m.kind = Set(kind);
            m.approach = Set(approach);
        })
    }
}

setters!(Row<mentor::ActiveModel> {
    craft(&str) => craft(Some);
    union_local(&str) => union_local(Some);
});

setters!(Row<enrollment::ActiveModel, Enrollment> {
    status(EnrollmentStatus) => status;
    applied(NaiveDate) => applied_on;
    started(NaiveDate) => started_on(Some);
});

setters!(Row<hour_log::ActiveModel> {
    worked_on(NaiveDate) => worked_on;
    approved(bool) => approved;
});

setters!(Row<dual_enrollment::ActiveModel> {
    earned(Option<f64>) => units_earned;
});

setters!(Row<service::ActiveModel> {
    amount_cents(i64) => amount_cents(Some);
});

setters!(Row<sharing_agreement::ActiveModel> {
    purpose(SharingPurpose) => purpose;
    requires_consent(bool) => requires_consent;
    effective(NaiveDate) => effective_on;
    expires(Option<NaiveDate>) => expires_on;
});

setters!(Row<consent::ActiveModel> {
    /// Only for `recipient` (`None`: any recipient).
    recipient(Option<Uuid>) => recipient_org_id;
    purpose(SharingPurpose) => purpose;
    signed(NaiveDate) => signed_on;
});

impl Row<consent::ActiveModel> {
    /// A REVOKED consent is revoked now.
    pub fn status(self, status: ConsentStatus) -> Self {
        self.with(|m| {
            m.status = Set(status);
            m.revoked_at = Set((status == ConsentStatus::Revoked).then(Utc::now));
        })
    }
}

/// A participant and the profile each organization that knows them keeps:
/// `.await` inserts them and answers the participant's id.
#[must_use = "a participant is inserted only when awaited"]
pub struct Participant {
    db: DatabaseConnection,
    id: Uuid,
    orgs: Vec<Uuid>,
    profile: participant_profile::ActiveModel,
}

impl Participant {
    /// Each of `orgs` keeps a profile named `given family`.
    pub fn known_to(mut self, orgs: &[Uuid], given: &str, family: &str) -> Self {
        self.orgs.extend_from_slice(orgs);
        self.profile.given_name = Set(given.into());
        self.profile.family_name = Set(family.into());
        self
    }

    pub fn born(mut self, on: NaiveDate) -> Self {
        self.profile.birth_date = Set(Some(on));
        self
    }

    /// Changes any column of the profiles the named setters do not cover.
    pub fn profile(mut self, change: impl FnOnce(&mut participant_profile::ActiveModel)) -> Self {
        change(&mut self.profile);
        self
    }
}

impl IntoFuture for Participant {
    type Output = Uuid;
    type IntoFuture = Pin<Box<dyn Future<Output = Uuid> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut participant = participant::ActiveModel {
                match_key: Set(format!("k{}", self.id)),
                ..Default::default()
            };
            stamp(&mut participant, self.id);
            participant::Entity::insert(participant)
                .exec_without_returning(&self.db)
                .await
                .unwrap();
            for org in self.orgs {
                let mut profile = self.profile.clone();
                stamp(&mut profile, Uuid::new_v4());
                profile.participant_id = Set(self.id);
                profile.org_id = Set(org);
                participant_profile::Entity::insert(profile)
                    .exec_without_returning(&self.db)
                    .await
                    .unwrap();
            }
            relist(&self.db).await;
            self.id
        })
    }
}

/// The organizations and reference rows of the shared story.
pub struct PartnerStory {
    /// alliance-arts2work, which keeps the records.
    pub owner: Uuid,
    /// hola, which asks for them.
    pub viewer: Uuid,
    /// spacela, a third partner.
    pub other: Uuid,
    pub program: Program,
    pub mentor: Uuid,
    pub competency: Uuid,
}

impl Story {
    /// Arts2Work's apprentice, shared with HOLA under an agreement that
    /// needs consent for IDENTITY, ENROLLMENT and PROGRESS, with the
    /// apprentice's consent on file. Answers the story, the apprentice and
    /// the consent.
    pub async fn shared_apprentice(&self) -> (PartnerStory, Uuid, Uuid) {
        let story = self.partners().await;
        let p = self.apprentice(&story, 1).await;
        self.agreement(story.owner, story.viewer, "IDENTITY,ENROLLMENT,PROGRESS")
            .requires_consent(true)
            .await;
        let consent = self
            .consent(p, story.owner, "IDENTITY,ENROLLMENT,PROGRESS")
            .await;
        (story, p, consent)
    }

    /// The shared story's organizations, pathway, program, mentor and
    /// competency.
    pub async fn partners(&self) -> PartnerStory {
        let owner = self
            .org("alliance-arts2work", OrgKind::TrainingPartner)
            .await;
        let viewer = self.org("hola", OrgKind::CommunityPartner).await;
        let other = self.org("spacela", OrgKind::TrainingPartner).await;
        self.org("wlcac", OrgKind::LeadAgency).await;
        self.org("harder-co", OrgKind::Evaluator).await;
        let local = self.org("iatse-local-600", OrgKind::Union).await;
        let pathway = self
            .pathway("DIGITAL_VIDEO_EDITING", "Digital Video Editing")
            .soc_code("27-4032")
            .await;
        let program = self
            .program(
                owner,
                "Arts2Work Registered Apprenticeship – Digital Video Editor",
            )
            .pathway(pathway)
            .kind(
                ProgramKind::RegisteredApprenticeship,
                ProgramApproach::Hybrid,
            )
            .ojt(2000.0)
            .rti(144.0)
            .scheduled(240.0)
            .stipend_pct(80.0)
            .await;
        let mentor = self
            .mentor(local, "Ray Okafor")
            .craft("Camera")
            .union_local("600")
            .await;
        let competency = self
            .competency(pathway, "DVE-T1", "Edits to a cut list")
            .await;
        PartnerStory {
            owner,
            viewer,
            other,
            program,
            mentor,
            competency,
        }
    }

    /// Arts2Work's apprentice number `n`, with a record in every category:
    /// profile, link, an ACTIVE enrollment with hours (8 h OJT approved) and
    /// a competency, a credential, a mentorship with a meeting, a dual
    /// enrollment, a service and an outcome.
    pub async fn apprentice(&self, story: &PartnerStory, n: usize) -> Uuid {
        let owner = story.owner;
        let p = self
            .participant()
            .known_to(&[owner], &format!("Marisol{n}"), "Quintero")
            .born(date(2004, 4, 12))
            .profile(|profile| {
                profile.preferred_name = Set(Some("Mari".into()));
                profile.email = Set(Some(format!("marisol{n}@example.com")));
                profile.phone = Set(Some("555-0142".into()));
                profile.postal_code = Set(Some("90002".into()));
                profile.gender = Set(Some("female".into()));
                profile.race_ethnicity = Set(Some("Latina".into()));
                profile.priority_populations = Set("FOSTER_YOUTH".into());
            })
            .await;
        self.link(p, owner, &format!("A2W-{n:04}")).await;
        let e = self
            .enroll(p, &story.program)
            .applied(days(-120))
            .started(days(-100))
            .await;
        self.status_change(&e, EnrollmentStatus::Active, days(-100))
            .await;
        for (kind, hours, approved) in [
            (HourKind::Ojt, 8.0, true),
            (HourKind::Ojt, 6.0, false),
            (HourKind::Rti, 4.0, true),
            (HourKind::Attendance, 200.0, true),
        ] {
            self.hours(&e, kind, hours)
                .worked_on(days(-30))
                .approved(approved)
                .await;
        }
        self.attainment(&e, story.competency, days(-10)).await;
        let premiere = "Adobe Certified Professional – Premiere Pro";
        self.credential(p, owner, premiere, days(-5)).await;
        let m = self.mentorship(p, story.mentor, owner, days(-60)).await;
        self.meeting(m, owner, days(-20), 45).await;
        self.dual_enrollment(p, owner).await;
        self.service(p, owner, ServiceKind::Stipend, days(-3))
            .amount_cents(50_000)
            .await;
        self.employed(p, owner, "Assistant Editor", 2800, days(-1))
            .await;
        p
    }
}
