//! Closed vocabularies of the data model (DESIGN.md section 3), stored as text.
//!
//! Each enum is both a sea-orm `ActiveEnum` (stored as its SCREAMING_CASE
//! name, identical on SQLite and PostgreSQL) and a GraphQL enum.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum, Enum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] $variant),+
        }

        impl $name {
            /// The stored (and GraphQL) name of the value.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stored name; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// Every value, in declaration order.
            pub fn all() -> &'static [Self] {
                &[$(Self::$variant),+]
            }
        }
    };
}

text_enum!(
    /// What kind of organization a partner is.
    OrgKind {
        /// The agency that leads a pathway program and its partners (e.g. WLCAC).
        LeadAgency = "LEAD_AGENCY",
        /// An organization that trains youth (e.g. Arts2Work, HOLA).
        TrainingPartner = "TRAINING_PARTNER",
        /// A union local whose members mentor youth and whose roster youth
        /// join (e.g. IATSE Local 600).
        Union = "UNION",
        /// A college offering courses, including dual enrollment (e.g. East LA College).
        College = "COLLEGE",
        /// A high school (e.g. LACHSA).
        HighSchool = "HIGH_SCHOOL",
        /// An employer offering internships, on-the-job training or jobs.
        Employer = "EMPLOYER",
        /// An evaluator that reads aggregate reports only (e.g. Harder+Co).
        Evaluator = "EVALUATOR",
        /// A funder that reads aggregate reports.
        Funder = "FUNDER",
        /// A community organization providing wraparound services.
        CommunityPartner = "COMMUNITY_PARTNER",
    }
);

text_enum!(
    /// The shape of a program.
    ProgramKind {
        /// A high-school career technical education pathway.
        CtePathway = "CTE_PATHWAY",
        /// A cohort of youth trained together over a set period.
        TrainingCohort = "TRAINING_COHORT",
        /// Preparation for a registered apprenticeship.
        PreApprenticeship = "PRE_APPRENTICESHIP",
        /// A registered apprenticeship; a time-based or hybrid one needs its OJT hour requirement.
        RegisteredApprenticeship = "REGISTERED_APPRENTICESHIP",
        /// A (paid) internship.
        Internship = "INTERNSHIP",
        /// A short workshop.
        Workshop = "WORKSHOP",
    }
);

text_enum!(
    /// How completion is judged: by hours, by competencies, or both.
    ProgramApproach {
        /// Judged by hours: the program's OJT and RTI hour requirements (the default).
        Time = "TIME",
        /// Judged by competencies attained; a registered apprenticeship needs no
        /// OJT hour requirement.
        Competency = "COMPETENCY",
        /// Judged by both hours and competencies.
        Hybrid = "HYBRID",
    }
);

text_enum!(
    /// Where an enrollment stands.
    EnrollmentStatus {
        /// The youth applied (every enrollment starts here); may move to INTERVIEWED or CANCELLED.
        Applied = "APPLIED",
        /// The youth was interviewed; may move to ACCEPTED or CANCELLED.
        Interviewed = "INTERVIEWED",
        /// The youth was accepted; may move to ACTIVE or CANCELLED.
        Accepted = "ACCEPTED",
        /// In the program (sets `startedOn`); may move to COMPLETED or WITHDRAWN.
        Active = "ACTIVE",
        /// Completed (sets `exitedOn`); needs the program's required OJT and
        /// RTI hours approved. Final.
        Completed = "COMPLETED",
        /// Left after starting (sets `exitedOn` and `exitReason`); final.
        Withdrawn = "WITHDRAWN",
        /// Cancelled before it became ACTIVE; final, sets `exitedOn`.
        Cancelled = "CANCELLED",
    }
);

text_enum!(
    /// What a logged hour counts towards.
    HourKind {
        /// On-the-job training.
        Ojt = "OJT",
        /// Related technical instruction.
        Rti = "RTI",
        /// Hours attended of the program's scheduled hours (for `attendancePct` and the stipend).
        Attendance = "ATTENDANCE",
        /// Hours spent with a mentor.
        Mentoring = "MENTORING",
    }
);

text_enum!(
    /// The area a competency belongs to.
    CompetencyDomain {
        /// Creative skills (storytelling, design, composition).
        Creative = "CREATIVE",
        /// Technical skills (tools, software, equipment).
        Technical = "TECHNICAL",
        /// Social-emotional skills (teamwork, communication, professionalism).
        SocialEmotional = "SOCIAL_EMOTIONAL",
    }
);

text_enum!(
    /// What kind of credential was awarded.
    CredentialKind {
        /// An industry certification (e.g. Adobe Certified Professional).
        IndustryCertification = "INDUSTRY_CERTIFICATION",
        /// A certificate of completing a program.
        CompletionCertificate = "COMPLETION_CERTIFICATE",
        /// A certificate of completing a registered apprenticeship.
        ApprenticeshipCertificate = "APPRENTICESHIP_CERTIFICATE",
        /// A college degree.
        Degree = "DEGREE",
        /// A high-school diploma.
        Diploma = "DIPLOMA",
    }
);

text_enum!(
    /// Where a request to correct a record stands.
    CorrectionStatus {
        /// Waiting for the owning organization's staff to resolve it.
        Open = "OPEN",
        /// Accepted; the field was changed as proposed (audited).
        Accepted = "ACCEPTED",
        /// Declined; the request carries the staff's answer and nothing changed.
        Declined = "DECLINED",
    }
);

text_enum!(
    /// A kind of row a youth may ask to correct.
    CorrectableEntity {
        /// A profile (names, contact, demographics) an organization keeps.
        ParticipantProfile = "PARTICIPANT_PROFILE",
        /// An enrollment in a program.
        Enrollment = "ENROLLMENT",
        /// An awarded credential.
        Credential = "CREDENTIAL",
    }
);

text_enum!(
    /// Where a mentorship stands.
    MentorshipStatus {
        /// Proposed, not yet started; may become ACTIVE or ENDED.
        Proposed = "PROPOSED",
        /// Under way (the first time sets `startedOn`); may be PAUSED or ENDED.
        Active = "ACTIVE",
        /// Paused; may become ACTIVE again or ENDED.
        Paused = "PAUSED",
        /// Ended (sets `endedOn`); final.
        Ended = "ENDED",
    }
);

text_enum!(
    /// Where a person stands on a union local's roster (read from the
    /// union's own system; a MEMBER is the UNION_MEMBERSHIP outcome).
    UnionMembershipStatus {
        /// Applied to join the local.
        Applicant = "APPLICANT",
        /// A member of the local (the UNION_MEMBERSHIP outcome).
        Member = "MEMBER",
        /// No longer an active member.
        Inactive = "INACTIVE",
    }
);

text_enum!(
    /// Where a dual-enrollment course stands.
    DualEnrollmentStatus {
        /// Taking the course this term.
        Enrolled = "ENROLLED",
        /// Finished the course (with a grade and units earned).
        Completed = "COMPLETED",
        /// Dropped the course (no record on the transcript).
        Dropped = "DROPPED",
        /// Withdrew from the course (a W on the transcript).
        Withdrawn = "WITHDRAWN",
    }
);

text_enum!(
    /// A wraparound service or disbursement.
    ServiceKind {
        /// A stipend paid to the youth (e.g. for reaching the program's attendance threshold).
        Stipend = "STIPEND",
        /// Transport help (bus passes, rides, mileage).
        Transportation = "TRANSPORTATION",
        /// Equipment lent or given (laptop, camera, software).
        Equipment = "EQUIPMENT",
        /// Counseling (career, pre-employment or personal).
        Counseling = "COUNSELING",
        /// Case management.
        CaseManagement = "CASE_MANAGEMENT",
        /// Mental-health support.
        MentalHealth = "MENTAL_HEALTH",
        /// Housing support.
        Housing = "HOUSING",
        /// Food support.
        Food = "FOOD",
        /// Childcare.
        Childcare = "CHILDCARE",
        /// Legal aid.
        Legal = "LEGAL",
        /// Financial-literacy training.
        FinancialLiteracy = "FINANCIAL_LITERACY",
    }
);

text_enum!(
    /// A result a youth reached (WIOA-style indicators).
    OutcomeKind {
        /// Employed (with employer, occupation and hourly wage when known).
        Employed = "EMPLOYED",
        /// Became a member of a union local (`unionLocal`).
        UnionMembership = "UNION_MEMBERSHIP",
        /// Registered as an apprentice.
        ApprenticeshipRegistered = "APPRENTICESHIP_REGISTERED",
        /// Enrolled in college or other postsecondary education.
        PostsecondaryEnrolled = "POSTSECONDARY_ENROLLED",
        /// Graduated from high school.
        HsGraduated = "HS_GRADUATED",
        /// Placed in an internship.
        InternshipPlaced = "INTERNSHIP_PLACED",
    }
);

/// Who signed a consent.
//
// Stored as text in `consent.granted_by` (`SELF` cannot be a derived
// sea-orm value name, so it is mapped here).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum, Serialize, Deserialize,
)]
pub enum GrantedBy {
    /// The participant, 18 or older on the signing date.
    #[graphql(name = "SELF")]
    #[serde(rename = "SELF")]
    SelfSigned,
    /// A parent or guardian, required under 18.
    #[graphql(name = "GUARDIAN")]
    #[serde(rename = "GUARDIAN")]
    Guardian,
}

impl GrantedBy {
    /// The stored (and GraphQL) name of the value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfSigned => "SELF",
            Self::Guardian => "GUARDIAN",
        }
    }

    /// Parses the stored name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "SELF" => Some(Self::SelfSigned),
            "GUARDIAN" => Some(Self::Guardian),
            _ => None,
        }
    }
}

text_enum!(
    /// Whether a consent is in force. `EXPIRED` is never stored: a consent
    /// whose end date (`expiresOn`) has passed reads as EXPIRED.
    ConsentStatus {
        /// In force: counts for the agreements that require consent.
        Active = "ACTIVE",
        /// Revoked (`revokedAt`); takes effect on the next request.
        Revoked = "REVOKED",
        /// Past its `expiresOn` (never stored; decided at read time).
        Expired = "EXPIRED",
    }
);

text_enum!(
    /// Why data is shared under an agreement.
    SharingPurpose {
        /// Coordinating services for the youth between partners.
        ServiceCoordination = "SERVICE_COORDINATION",
        /// Evaluating the program (e.g. the evaluator's cross-partner report).
        Evaluation = "EVALUATION",
        /// Reporting to funders and the county.
        Reporting = "REPORTING",
    }
);

text_enum!(
    /// Where a data-sharing agreement stands. `EXPIRED` is not written by
    /// a job: a PROPOSED or ACTIVE agreement whose end date (`expiresOn`) has passed
    /// reads as EXPIRED.
    AgreementStatus {
        /// Proposed by the provider; needs the recipient's acceptance and a hub_admin's approval.
        Proposed = "PROPOSED",
        /// Approved and in force between `effectiveOn` and `expiresOn`.
        Active = "ACTIVE",
        /// Revoked; takes effect on the next request.
        Revoked = "REVOKED",
        /// Past its `expiresOn` (never stored; decided at read time).
        Expired = "EXPIRED",
    }
);

text_enum!(
    /// What an audit event records.
    AuditAction {
        /// Participant data returned to an organization other than its owner,
        /// or to the youth themself (detail `SELF`).
        Read = "READ",
        /// A row was created.
        Create = "CREATE",
        /// A row was changed.
        Update = "UPDATE",
        /// A row was deleted (erasure, retention) or an account link ended.
        Delete = "DELETE",
        /// Data left the hub in a file or report (CSV, RAPIDS export).
        Export = "EXPORT",
        /// A consent was granted or reaffirmed, or an agreement approved.
        Grant = "GRANT",
        /// A consent or an agreement was revoked.
        Revoke = "REVOKE",
        /// A refused attempt: a read the policy denied (the field answered
        /// null + FORBIDDEN), a refused write, redemption or export.
        Deny = "DENY",
    }
);

text_enum!(
    /// The data categories that sharing agreements and consents name; every
    /// field and row of participant data belongs to one.
    Category {
        /// Names and the identity crosswalk (links); governs which participants a viewer lists.
        Identity = "IDENTITY",
        /// Email, phone and postal code.
        Contact = "CONTACT",
        /// Birth date, gender and race/ethnicity.
        Demographics = "DEMOGRAPHICS",
        /// Priority populations (foster youth, justice-involved, unhoused…).
        Sensitive = "SENSITIVE",
        /// Enrollments, their status and history.
        Enrollment = "ENROLLMENT",
        /// Hours (OJT, RTI, attendance, mentoring), competencies and the stipend.
        Progress = "PROGRESS",
        /// Certifications, certificates, degrees and diplomas.
        Credentials = "CREDENTIALS",
        /// Mentorships and their meetings.
        Mentorship = "MENTORSHIP",
        /// Dual-enrollment courses, units and grades (FERPA education records).
        EducationRecords = "EDUCATION_RECORDS",
        /// Wraparound services and disbursements.
        Services = "SERVICES",
        /// Employment, union membership, wages and other outcomes.
        Outcomes = "OUTCOMES",
    }
);

text_enum!(
    /// Priority populations a program serves (SENSITIVE data).
    PriorityPopulation {
        /// In or aged out of foster care.
        FosterYouth = "FOSTER_YOUTH",
        /// Involved with the justice system.
        JusticeInvolved = "JUSTICE_INVOLVED",
        /// Without stable housing.
        Unhoused = "UNHOUSED",
        /// 16 to 24 and neither in school nor working.
        OpportunityYouth = "OPPORTUNITY_YOUTH",
        /// From a low-income household.
        LowIncome = "LOW_INCOME",
        /// Living with a disability.
        Disability = "DISABILITY",
        /// Learning English.
        EnglishLearner = "ENGLISH_LEARNER",
    }
);

/// Joins a set of enum values into the stored comma-separated form
/// (in declaration order, deduplicated), e.g. `IDENTITY,CONTACT`.
pub fn join_set<T: Copy + Ord>(values: &[T], as_str: fn(T) -> &'static str) -> String {
    let mut sorted: Vec<T> = values.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().map(as_str).collect::<Vec<_>>().join(",")
}

/// Splits the stored comma-separated form back into values, skipping
/// anything unknown.
pub fn split_set<T>(stored: &str, parse: fn(&str) -> Option<T>) -> Vec<T> {
    stored.split(',').filter_map(|s| parse(s.trim())).collect()
}

text_enum!(
    /// The kinds of participant-level rows the change feed carries.
    RecordKind {
        /// A participant profile (IDENTITY and the profile's other categories).
        ParticipantProfile = "PARTICIPANT_PROFILE",
        /// An enrollment (ENROLLMENT).
        Enrollment = "ENROLLMENT",
        /// An hour log (PROGRESS).
        HourLog = "HOUR_LOG",
        /// A competency attained (PROGRESS).
        CompetencyAttainment = "COMPETENCY_ATTAINMENT",
        /// A credential (CREDENTIALS).
        Credential = "CREDENTIAL",
        /// A mentorship (MENTORSHIP).
        Mentorship = "MENTORSHIP",
        /// A mentorship meeting (MENTORSHIP).
        MentorshipMeeting = "MENTORSHIP_MEETING",
        /// A dual-enrollment course (EDUCATION_RECORDS).
        DualEnrollment = "DUAL_ENROLLMENT",
        /// A service (SERVICES).
        Service = "SERVICE",
        /// An outcome (OUTCOMES).
        Outcome = "OUTCOME",
    }
);

text_enum!(
    /// What a change-feed entry says of its row.
    ChangeOperation {
        /// The row was written (or became readable): fetch its record.
        Upsert = "UPSERT",
        /// The row was deleted, or the reader may no longer read it.
        Delete = "DELETE",
    }
);
