//! sea-orm entities of Pathways Hub, one file per table (DESIGN.md section 3).
//!
//! Every table has a UUID `id`, `created_at` and `updated_at`; every
//! participant-level row names its `owner_org_id`, the organization that
//! wrote it and is its data steward.

pub mod account_code;
pub mod account_link_confirmation;
pub mod account_link_ended;
pub mod audit_event;
pub mod audit_seal;
pub mod change_log;
pub mod competency;
pub mod competency_attainment;
pub mod consent;
pub mod consent_majority;
pub mod correction_request;
pub mod credential;
pub mod credential_confirmation;
pub mod dual_enrollment;
pub mod enrollment;
pub mod enrollment_status_change;
pub mod enums;
pub mod hour_log;
pub mod mentor;
pub mod mentorship;
pub mod mentorship_meeting;
pub mod organization;
pub mod outcome;
pub mod participant;
pub mod participant_account;
pub mod participant_link;
pub mod participant_profile;
pub mod pathway;
pub mod privacy_budget;
pub mod program;
pub mod program_target;
pub mod report_release;
pub mod service;
pub mod sharing_agreement;
