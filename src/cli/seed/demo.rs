//! The directory of the demo: organizations, pathways, competencies,
//! programs (in `programs.rs`), mentors and data-sharing agreements,
//! as the seed documents describe them.

use super::programs::{LACHSA_STAGE, LACHSA_VIDEO, PROGRAMS};
use super::{Plan, at, demo_id, directory_at, dt, org, plus};
use entity::enums::{
    AgreementStatus, Category, CompetencyDomain, OrgKind, SharingPurpose, join_set,
};

use entity::{
    competency, mentor, organization, pathway, program, program_target, sharing_agreement,
};

pub(super) const WLCAC: &str = "wlcac";
pub(super) const A2W: &str = "alliance-arts2work";
pub(super) const HOLA: &str = "hola";
pub(super) const HARDER: &str = "harder-co";
pub(super) const LACHSA: &str = "lachsa";
pub(super) const ELAC: &str = "elac";
pub(super) const CSULA: &str = "csula";
pub(super) const ASU: &str = "asu";
pub(super) const HCPR: &str = "hollywood-cpr";
pub(super) const WLAC: &str = "west-la-college";
pub(super) const MW: &str = "manifest-works";
pub(super) const SPACELA: &str = "spacela";
pub(super) const CFC: &str = "cfc";

/// An organization of the demo.
pub(super) struct Org {
    pub slug: &'static str,
    pub name: &'static str,
    pub kind: OrgKind,
    /// What people call it (demo user labels).
    pub short: &'static str,
    /// Prefix of the organization's own ids for people (participant links).
    pub id_prefix: &'static str,
}

const fn o(
    slug: &'static str,
    name: &'static str,
    kind: OrgKind,
    short: &'static str,
    id_prefix: &'static str,
) -> Org {
    Org {
        slug,
        name,
        kind,
        short,
        id_prefix,
    }
}

use OrgKind::{
    College, CommunityPartner, Evaluator, Funder, HighSchool, LeadAgency, TrainingPartner, Union,
};

#[rustfmt::skip]
pub(super) const ORGS: &[Org] = &[
    o(WLCAC, "Watts Labor Community Action Committee", LeadAgency, "WLCAC", "WLCAC"),
    o(A2W, "Alliance for Media Arts + Culture / Arts2Work", TrainingPartner, "Arts2Work", "A2W-LA"),
    o(HOLA, "Heart of Los Angeles", CommunityPartner, "HOLA", "HOLA"),
    o(HARDER, "Harder+Company Community Research", Evaluator, "Harder+Co", "HC"),
    o(LACHSA, "Los Angeles County High School for the Arts", HighSchool, "LACHSA", "LACHSA-S"),
    o(ELAC, "East Los Angeles College", College, "ELAC", "ELAC-88"),
    o(CSULA, "Cal State LA", College, "Cal State LA", "CIN-30"),
    o(ASU, "Arizona State University – Los Angeles", College, "ASU Los Angeles", "ASU-12"),
    o(HCPR, "Hollywood CPR", TrainingPartner, "Hollywood CPR", "HCPR"),
    o(WLAC, "West Los Angeles College", College, "West LA College", "WLAC-88"),
    o(MW, "Manifest Works", TrainingPartner, "Manifest Works", "MW"),
    o(SPACELA, "SpaceLA", TrainingPartner, "SpaceLA", "SPACELA"),
    o(CFC, "California Film Commission", Funder, "California Film Commission", "CFC"),
    o("iatse-local-33", "IATSE Local 33 – Stage Employees", Union, "IATSE Local 33", "L33"),
    o("iatse-local-44", "IATSE Local 44 – Affiliated Property Craftspersons", Union, "IATSE Local 44", "L44"),
    o("iatse-local-80", "IATSE Local 80 – Motion Picture Studio Grips", Union, "IATSE Local 80", "L80"),
    o("iatse-local-600", "IATSE Local 600 – International Cinematographers Guild", Union, "IATSE Local 600", "ICG"),
    o("iatse-local-695", "IATSE Local 695 – Production Sound", Union, "IATSE Local 695", "L695"),
    o("iatse-local-705", "IATSE Local 705 – Motion Picture Costumers", Union, "IATSE Local 705", "L705"),
    o("iatse-local-728", "IATSE Local 728 – Studio Electrical Lighting Technicians", Union, "IATSE Local 728", "L728"),
    o("iatse-local-729", "IATSE Local 729 – Set Painters", Union, "IATSE Local 729", "L729"),
    o("iatse-local-800", "IATSE Local 800 – Art Directors Guild", Union, "IATSE Local 800", "ADG"),
];

/// Organizations with an `admin@<slug>` demo user (those with agreements or
/// consents to manage in the demo).
pub(super) const ADMIN_ORGS: &[&str] = &[WLCAC, A2W, LACHSA, ELAC, HOLA, HCPR, "iatse-local-600"];

/// The demo's organization with this slug.
pub(super) fn find_org(slug: &str) -> Option<&'static Org> {
    ORGS.iter().find(|o| o.slug == slug)
}

/// What people call the organization (its slug if unknown).
pub(super) fn short_name(slug: &str) -> &str {
    find_org(slug).map_or(slug, |o| o.short)
}

/// The arts, media and entertainment sector, as California's CTE model
/// curriculum names it.
const SECTOR: &str = "Arts, Media & Entertainment";

/// Pathways: code, name, O*NET-SOC code where one clearly fits.
#[rustfmt::skip]
const PATHWAYS: &[(&str, &str, Option<&str>)] = &[
    ("POST_PRODUCTION", "Post-Production & Editing", Some("27-4032")),
    ("VISUAL_EFFECTS", "Visual Effects", Some("27-1014")),
    ("GAMING", "Game Design", Some("15-1255.01")),
    ("ANIMATION", "Animation", Some("27-1014")),
    ("MUSIC_PRODUCTION", "Music Production", Some("27-4014")),
    ("MULTIMEDIA_PRODUCTION", "Multimedia Production", Some("27-2012")),
    ("DIGITAL_VIDEO_EDITING", "Digital Video Editing", Some("27-4032")),
    ("GRAPHIC_DESIGN", "Graphic Design", Some("27-1024")),
    ("STAGECRAFT", "Stagecraft Technical Theatre", None),
    ("VIDEO_PRODUCTION", "Video Production", Some("27-4031")),
    ("CAMERA", "Cinematography & Camera (IATSE Local 600)", Some("27-4031")),
    ("SET_LIGHTING", "Set Lighting (IATSE Local 728)", Some("27-4015")),
    ("GRIP", "Grip & Craft Service (IATSE Local 80)", None),
    ("SOUND", "Production Sound (IATSE Local 695)", Some("27-4014")),
    ("COSTUME", "Costume Manufacturing (IATSE Local 705)", Some("51-6052")),
    ("SET_PAINTING", "Set Painting (IATSE Local 729)", Some("47-2141")),
    ("SET_DRESSING", "Set Dressing & Greens (IATSE Local 44)", None),
    ("SCENIC_GRAPHIC_ARTS", "Scenic & Graphic Arts (IATSE Local 800)", Some("27-1027")),
];

use CompetencyDomain::{Creative, SocialEmotional, Technical};

/// Competencies of the Arts2Work apprenticeship occupations: creative,
/// technical and social-emotional, as Arts2Work's curriculum frames them.
#[rustfmt::skip]
pub(super) const COMPETENCIES: &[(&str, &str, &str, CompetencyDomain)] = &[
    ("DIGITAL_VIDEO_EDITING", "DVE-C1", "Pitches a story clearly", Creative),
    ("DIGITAL_VIDEO_EDITING", "DVE-C2", "Shapes a scene's pacing and rhythm in the edit", Creative),
    ("DIGITAL_VIDEO_EDITING", "DVE-T1", "Edits to a cut list in Premiere Pro", Technical),
    ("DIGITAL_VIDEO_EDITING", "DVE-T2", "Manages media, proxies and project files", Technical),
    ("DIGITAL_VIDEO_EDITING", "DVE-T3", "Color-corrects and mixes audio for delivery", Technical),
    ("DIGITAL_VIDEO_EDITING", "DVE-S1", "Collaborates on a crew", SocialEmotional),
    ("DIGITAL_VIDEO_EDITING", "DVE-S2", "Takes notes from a director and revises on deadline", SocialEmotional),
    ("MULTIMEDIA_PRODUCTION", "MMP-C1", "Pitches a story clearly", Creative),
    ("MULTIMEDIA_PRODUCTION", "MMP-C2", "Plans video content for a nonprofit client", Creative),
    ("MULTIMEDIA_PRODUCTION", "MMP-T1", "Lights and shoots an interview", Technical),
    ("MULTIMEDIA_PRODUCTION", "MMP-T2", "Records clean location sound", Technical),
    ("MULTIMEDIA_PRODUCTION", "MMP-T3", "Publishes captioned video to social channels", Technical),
    ("MULTIMEDIA_PRODUCTION", "MMP-S1", "Collaborates on a crew", SocialEmotional),
    ("MULTIMEDIA_PRODUCTION", "MMP-S2", "Presents their work with confidence in an interview", SocialEmotional),
    ("GRAPHIC_DESIGN", "GD-C1", "Develops a visual concept from a creative brief", Creative),
    ("GRAPHIC_DESIGN", "GD-C2", "Uses typography and color with intent", Creative),
    ("GRAPHIC_DESIGN", "GD-T1", "Builds print and digital layouts in InDesign", Technical),
    ("GRAPHIC_DESIGN", "GD-T2", "Prepares vector assets in Illustrator", Technical),
    ("GRAPHIC_DESIGN", "GD-T3", "Exports files to print and web specifications", Technical),
    ("GRAPHIC_DESIGN", "GD-S1", "Presents concepts and responds to client feedback", SocialEmotional),
    ("GRAPHIC_DESIGN", "GD-S2", "Manages time across several client projects", SocialEmotional),
];

/// key, organization, name, craft, union local, active.
type MentorRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

/// Mentors: key, organization, name, craft, union local, active. Union
/// members for the craft pathways (the Career Pathways program's mentors are
/// union members), SpaceLA and Arts2Work professionals for media.
#[rustfmt::skip]
const MENTORS: &[MentorRow] = &[
    ("m-600-trevino", "iatse-local-600", "Marisol Treviño", "Camera Operator", Some("600"), true),
    ("m-600-whitaker", "iatse-local-600", "Darnell Whitaker", "Director of Photography", Some("600"), true),
    ("m-600-nakamura", "iatse-local-600", "Grace Nakamura", "1st Assistant Camera", Some("600"), true),
    ("m-728-ocampo", "iatse-local-728", "Luis Ocampo", "Gaffer", Some("728"), true),
    ("m-728-monroe", "iatse-local-728", "Keisha Monroe", "Rigging Electrician", Some("728"), true),
    ("m-33-delgado", "iatse-local-33", "Ray Delgado", "Stage Carpenter", Some("33"), true),
    ("m-33-brooks", "iatse-local-33", "Tanya Brooks", "Lighting Console Programmer", Some("33"), true),
    ("m-695-salcedo", "iatse-local-695", "Arturo Salcedo", "Production Sound Mixer", Some("695"), true),
    ("m-695-park", "iatse-local-695", "Jenna Park", "Boom Operator", Some("695"), true),
    ("m-44-ramirez", "iatse-local-44", "Víctor Ramírez", "Greensman", Some("44"), true),
    ("m-80-bell", "iatse-local-80", "Curtis Bell", "Key Grip", Some("80"), true),
    ("m-705-ibarra", "iatse-local-705", "Lorena Ibarra", "Costumer", Some("705"), true),
    ("m-729-osei", "iatse-local-729", "Samuel Osei", "Scenic Painter", Some("729"), false),
    ("m-800-cho", "iatse-local-800", "Helen Cho", "Graphic Designer (Art Department)", Some("800"), true),
    ("m-spacela-fontaine", SPACELA, "Andre Fontaine", "VFX Supervisor", None, true),
    ("m-spacela-raman", SPACELA, "Priya Raman", "Motion Graphics Designer", None, true),
    ("m-spacela-lee", SPACELA, "Marcus Lee", "Recording Engineer", None, true),
    ("m-a2w-greene", A2W, "Tasha Greene", "Post-Production Supervisor", None, true),
    ("m-a2w-villanueva", A2W, "Eddie Villanueva", "Animator and Multimedia Producer", None, true),
];

use Category::{
    Contact, Credentials, EducationRecords, Enrollment, Identity, Mentorship, Outcomes, Progress,
    Services,
};

const ACTIVE_FROM: (i32, u32, u32) = (2025, 7, 1);
const ACTIVE_TO: Option<(i32, u32, u32)> = Some((2027, 6, 30));
const EVALUATION: &[Category] = &[
    Identity,
    Enrollment,
    Progress,
    Credentials,
    Outcomes,
    Services,
];

const COORDINATION: &[Category] = &[Identity, Contact, Enrollment, Services];
const SCHOOL: &[Category] = &[Identity, EducationRecords, Enrollment];

/// provider, recipient, categories, purpose, requires consent, status,
/// effective, expires.
type AgreementRow = (
    &'static str,
    &'static str,
    &'static [Category],
    SharingPurpose,
    bool,
    AgreementStatus,
    (i32, u32, u32),
    Option<(i32, u32, u32)>,
);

/// Data-sharing agreements: provider, recipient, categories, purpose,
/// requires consent, status, effective, expires.
#[rustfmt::skip]
const AGREEMENTS: &[AgreementRow] = &[
    (A2W, WLCAC, &[Identity, Enrollment, Progress, Credentials], SharingPurpose::ServiceCoordination, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (WLCAC, A2W, COORDINATION, SharingPurpose::ServiceCoordination, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (WLCAC, HOLA, COORDINATION, SharingPurpose::ServiceCoordination, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (WLCAC, HARDER, EVALUATION, SharingPurpose::Evaluation, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (A2W, HARDER, EVALUATION, SharingPurpose::Evaluation, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (LACHSA, ELAC, SCHOOL, SharingPurpose::ServiceCoordination, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    (ELAC, LACHSA, SCHOOL, SharingPurpose::ServiceCoordination, true, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    // Mentor matching needs no consent: the youth applied to a union-linked program.
    (HCPR, "iatse-local-600", &[Identity, Mentorship, Contact], SharingPurpose::ServiceCoordination, false, AgreementStatus::Active, ACTIVE_FROM, ACTIVE_TO),
    // Awaiting WLCAC's acceptance and the hub admin's approval.
    (SPACELA, WLCAC, &[Identity, Enrollment, Mentorship], SharingPurpose::ServiceCoordination, true, AgreementStatus::Proposed, (2027, 1, 4), Some((2027, 12, 31))),
    // Ended early when HOLA's referral partnership changed.
    (HOLA, WLCAC, &[Identity, Enrollment, Services], SharingPurpose::ServiceCoordination, true, AgreementStatus::Revoked, ACTIVE_FROM, ACTIVE_TO),
    // Lapsed: Cal State LA's dual-enrollment grades are no longer shared.
    (CSULA, LACHSA, SCHOOL, SharingPurpose::ServiceCoordination, true, AgreementStatus::Expired, (2024, 7, 1), Some((2026, 6, 30))),
];

impl Plan {
    /// Organizations, pathways, competencies, programs, mentors, agreements.
    pub(super) fn directory(&mut self) {
        let (created_at, updated_at) = (directory_at(), directory_at());
        self.organizations
            .extend(ORGS.iter().map(|o| organization::Model {
                id: org(o.slug),
                slug: o.slug.into(),
                name: o.name.into(),
                kind: o.kind,
                created_at,
                updated_at,
            }));
        self.pathways
            .extend(PATHWAYS.iter().map(|(code, name, soc)| pathway::Model {
                id: demo_id("pathway", code),
                code: (*code).into(),
                name: (*name).into(),
                sector: SECTOR.into(),
                soc_code: soc.map(Into::into),
                created_at,
                updated_at,
            }));
        self.competencies
            .extend(
                COMPETENCIES
                    .iter()
                    .map(|(path, code, name, domain)| competency::Model {
                        id: competency_id(path, code),
                        pathway_id: demo_id("pathway", path),
                        code: (*code).into(),
                        name: (*name).into(),
                        domain: *domain,
                        created_at,
                        updated_at,
                    }),
            );
        self.programs
            .extend(PROGRAMS.iter().map(|p| program::Model {
                id: demo_id("program", p.key),
                org_id: org(p.org),
                pathway_id: p.pathway.map(|code| demo_id("pathway", code)),
                name: p.name.into(),
                kind: p.kind,
                approach: p.approach,
                required_ojt_hours: p.ojt,
                required_rti_hours: p.rti,
                scheduled_hours: p.scheduled,
                stipend_threshold_pct: p.threshold,
                site: Some(p.site.into()),
                starts_on: Some(dt(p.starts)),
                ends_on: Some(dt(p.ends)),
                created_at,
                updated_at,
            }));
        // LACHSA's grant (seed 001): 95 % completion, 100 % graduation and
        // 95 % certified in one or more industry programs, per CTE pathway.
        for p in [&LACHSA_STAGE, &LACHSA_VIDEO] {
            for (metric, target) in [
                ("COMPLETION_RATE", 0.95),
                ("GRADUATION_RATE", 1.0),
                ("CREDENTIAL_ATTAINMENT", 0.95),
            ] {
                self.program_targets.push(program_target::Model {
                    id: demo_id("program_target", &format!("{}/{metric}", p.key)),
                    program_id: demo_id("program", p.key),
                    metric: metric.into(),
                    target,
                    note: Some("LACHSA Pathways Improvement grant".into()),
                    created_at,
                    updated_at,
                });
            }
        }
        self.mentors.extend(
            MENTORS
                .iter()
                .map(|(key, slug, name, craft, local, active)| mentor::Model {
                    id: demo_id("mentor", key),
                    org_id: org(slug),
                    name: (*name).into(),
                    email: Some(format!("{}@example.org", email_local(name))),
                    craft: Some((*craft).into()),
                    union_local: local.map(Into::into),
                    active: *active,
                    external_id: None,
                    source: "hub".into(),
                    created_at,
                    updated_at,
                }),
        );
        for (from, to, cats, purpose, consent, status, effective, expires) in AGREEMENTS {
            let effective = dt(*effective);
            let proposed = plus(effective, -45);
            let settled = *status != AgreementStatus::Proposed;
            self.agreements.push(sharing_agreement::Model {
                id: demo_id("sharing_agreement", &format!("{from}>{to}")),
                provider_org_id: org(from),
                recipient_org_id: org(to),
                categories: join_set(cats, Category::as_str),
                purpose: *purpose,
                requires_consent: *consent,
                status: *status,
                effective_on: effective,
                expires_on: expires.map(dt),
                destroy_by: None,
                destroyed_at: None,
                lapse_settled_on: None,
                proposed_by: format!("admin@{from}"),
                accepted_by: settled.then(|| format!("admin@{to}")),
                accepted_at: settled.then(|| at(plus(proposed, 10))),
                approved_by: settled.then(|| "hub-admin@wlcac".to_owned()),
                approved_at: settled.then(|| at(plus(proposed, 14))),
                version: 1,
                created_at: at(proposed),
                updated_at: at(if settled {
                    plus(proposed, 14)
                } else {
                    proposed
                }),
            });
        }
    }
}

/// The id of a competency: its pathway's code and its own.
pub(super) fn competency_id(pathway: &str, code: &str) -> uuid::Uuid {
    demo_id("competency", &format!("{pathway}:{code}"))
}

/// `first.last` for an email address, accents and spaces dropped.
pub(super) fn email_local(name: &str) -> String {
    name.split_whitespace()
        .map(crate::people::identity::normalize_name)
        .collect::<Vec<_>>()
        .join(".")
}
