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
        LeadAgency = "LEAD_AGENCY",
        TrainingPartner = "TRAINING_PARTNER",
        Union = "UNION",
        College = "COLLEGE",
        HighSchool = "HIGH_SCHOOL",
        Employer = "EMPLOYER",
        Evaluator = "EVALUATOR",
        Funder = "FUNDER",
        CommunityPartner = "COMMUNITY_PARTNER",
    }
);

text_enum!(
    /// The shape of a program.
    ProgramKind {
        CtePathway = "CTE_PATHWAY",
        TrainingCohort = "TRAINING_COHORT",
        PreApprenticeship = "PRE_APPRENTICESHIP",
        RegisteredApprenticeship = "REGISTERED_APPRENTICESHIP",
        Internship = "INTERNSHIP",
        Workshop = "WORKSHOP",
    }
);

text_enum!(
    /// How completion is judged: by hours, by competencies, or both.
    ProgramApproach {
        Time = "TIME",
        Competency = "COMPETENCY",
        Hybrid = "HYBRID",
    }
);

text_enum!(
    /// Where an enrollment stands.
    EnrollmentStatus {
        Applied = "APPLIED",
        Interviewed = "INTERVIEWED",
        Accepted = "ACCEPTED",
        Active = "ACTIVE",
        Completed = "COMPLETED",
        Withdrawn = "WITHDRAWN",
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
        Attendance = "ATTENDANCE",
        Mentoring = "MENTORING",
    }
);

text_enum!(
    /// The area a competency belongs to.
    CompetencyDomain {
        Creative = "CREATIVE",
        Technical = "TECHNICAL",
        SocialEmotional = "SOCIAL_EMOTIONAL",
    }
);

text_enum!(
    /// What kind of credential was awarded.
    CredentialKind {
        IndustryCertification = "INDUSTRY_CERTIFICATION",
        CompletionCertificate = "COMPLETION_CERTIFICATE",
        ApprenticeshipCertificate = "APPRENTICESHIP_CERTIFICATE",
        Degree = "DEGREE",
        Diploma = "DIPLOMA",
    }
);

text_enum!(
    /// Where a request to correct a record stands.
    CorrectionStatus {
        Open = "OPEN",
        Accepted = "ACCEPTED",
        Declined = "DECLINED",
    }
);

text_enum!(
    /// A kind of row a youth may ask to correct.
    CorrectableEntity {
        ParticipantProfile = "PARTICIPANT_PROFILE",
        Enrollment = "ENROLLMENT",
        Credential = "CREDENTIAL",
    }
);

text_enum!(
    /// Where a mentorship stands.
    MentorshipStatus {
        Proposed = "PROPOSED",
        Active = "ACTIVE",
        Paused = "PAUSED",
        Ended = "ENDED",
    }
);

text_enum!(
    /// Where a person stands on a union local's roster (read from the
    /// union's own system; a MEMBER is the UNION_MEMBERSHIP outcome).
    UnionMembershipStatus {
        Applicant = "APPLICANT",
        Member = "MEMBER",
        Inactive = "INACTIVE",
    }
);

text_enum!(
    /// Where a dual-enrollment course stands.
    DualEnrollmentStatus {
        Enrolled = "ENROLLED",
        Completed = "COMPLETED",
        Dropped = "DROPPED",
        Withdrawn = "WITHDRAWN",
    }
);

text_enum!(
    /// A wraparound service or disbursement.
    ServiceKind {
        Stipend = "STIPEND",
        Transportation = "TRANSPORTATION",
        Equipment = "EQUIPMENT",
        Counseling = "COUNSELING",
        CaseManagement = "CASE_MANAGEMENT",
        MentalHealth = "MENTAL_HEALTH",
        Housing = "HOUSING",
        Food = "FOOD",
        Childcare = "CHILDCARE",
        Legal = "LEGAL",
        FinancialLiteracy = "FINANCIAL_LITERACY",
    }
);

text_enum!(
    /// A result a youth reached (WIOA-style indicators).
    OutcomeKind {
        Employed = "EMPLOYED",
        UnionMembership = "UNION_MEMBERSHIP",
        ApprenticeshipRegistered = "APPRENTICESHIP_REGISTERED",
        PostsecondaryEnrolled = "POSTSECONDARY_ENROLLED",
        HsGraduated = "HS_GRADUATED",
        InternshipPlaced = "INTERNSHIP_PLACED",
    }
);

/// Who signed a consent. Stored as text in `consent.granted_by`
/// (`SELF` cannot be a derived sea-orm value name, so it is mapped here).
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
        Active = "ACTIVE",
        Revoked = "REVOKED",
        Expired = "EXPIRED",
    }
);

text_enum!(
    /// Why data is shared under an agreement.
    SharingPurpose {
        ServiceCoordination = "SERVICE_COORDINATION",
        Evaluation = "EVALUATION",
        Reporting = "REPORTING",
    }
);

text_enum!(
    /// Where a data-sharing agreement stands. `EXPIRED` is not written by
    /// a job: a PROPOSED or ACTIVE agreement whose end date (`expiresOn`) has passed
    /// reads as EXPIRED.
    AgreementStatus {
        Proposed = "PROPOSED",
        Active = "ACTIVE",
        Revoked = "REVOKED",
        Expired = "EXPIRED",
    }
);

text_enum!(
    /// What an audit event records.
    AuditAction {
        Read = "READ",
        Create = "CREATE",
        Update = "UPDATE",
        Delete = "DELETE",
        Export = "EXPORT",
        Grant = "GRANT",
        Revoke = "REVOKE",
        Deny = "DENY",
    }
);

text_enum!(
    /// The data categories that sharing agreements and consents name
    /// (DESIGN.md section 4).
    Category {
        Identity = "IDENTITY",
        Contact = "CONTACT",
        Demographics = "DEMOGRAPHICS",
        Sensitive = "SENSITIVE",
        Enrollment = "ENROLLMENT",
        Progress = "PROGRESS",
        Credentials = "CREDENTIALS",
        Mentorship = "MENTORSHIP",
        EducationRecords = "EDUCATION_RECORDS",
        Services = "SERVICES",
        Outcomes = "OUTCOMES",
    }
);

text_enum!(
    /// Priority populations a program serves (SENSITIVE data).
    PriorityPopulation {
        FosterYouth = "FOSTER_YOUTH",
        JusticeInvolved = "JUSTICE_INVOLVED",
        Unhoused = "UNHOUSED",
        OpportunityYouth = "OPPORTUNITY_YOUTH",
        LowIncome = "LOW_INCOME",
        Disability = "DISABILITY",
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
        ParticipantProfile = "PARTICIPANT_PROFILE",
        Enrollment = "ENROLLMENT",
        HourLog = "HOUR_LOG",
        CompetencyAttainment = "COMPETENCY_ATTAINMENT",
        Credential = "CREDENTIAL",
        Mentorship = "MENTORSHIP",
        MentorshipMeeting = "MENTORSHIP_MEETING",
        DualEnrollment = "DUAL_ENROLLMENT",
        Service = "SERVICE",
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
