//! The programs of the demo, as the seed documents describe them.

use super::demo::{A2W, HCPR, HOLA, LACHSA, MW, SPACELA, WLCAC};
use entity::enums::{ProgramApproach, ProgramKind};

/// A program of the demo.
pub(super) struct ProgramDef {
    pub key: &'static str,
    pub org: &'static str,
    pub pathway: Option<&'static str>,
    pub name: &'static str,
    pub kind: ProgramKind,
    pub approach: ProgramApproach,
    pub ojt: Option<f64>,
    pub rti: Option<f64>,
    pub scheduled: Option<f64>,
    pub threshold: Option<f64>,
    pub site: &'static str,
    pub starts: (i32, u32, u32),
    pub ends: (i32, u32, u32),
    /// The occupation an apprentice or intern holds (outcomes).
    pub occupation: &'static str,
}

use ProgramApproach::{Competency, Hybrid, Time};
use ProgramKind::{
    CtePathway, Internship, PreApprenticeship, RegisteredApprenticeship, TrainingCohort, Workshop,
};

/// A registered apprenticeship of Arts2Work: 2000 h OJT + 144 h RTI, hybrid.
const fn ra(
    key: &'static str,
    pathway: &'static str,
    name: &'static str,
    occupation: &'static str,
) -> ProgramDef {
    ProgramDef {
        key,
        org: A2W,
        pathway: Some(pathway),
        name,
        kind: RegisteredApprenticeship,
        approach: Hybrid,
        ojt: Some(2000.0),
        rti: Some(144.0),
        scheduled: None,
        threshold: None,
        site: "Los Angeles (affiliated employers)",
        starts: (2025, 7, 1),
        ends: (2027, 6, 30),
        occupation,
    }
}

/// A training program without OJT/RTI requirements. (One argument per
/// column keeps each program below a one-line table row.)
#[allow(clippy::too_many_arguments)]
const fn pg(
    key: &'static str,
    org: &'static str,
    pathway: Option<&'static str>,
    name: &'static str,
    kind: ProgramKind,
    approach: ProgramApproach,
    scheduled: Option<f64>,
    site: &'static str,
    starts: (i32, u32, u32),
    ends: (i32, u32, u32),
) -> ProgramDef {
    ProgramDef {
        key,
        org,
        pathway,
        name,
        kind,
        approach,
        ojt: None,
        rti: None,
        scheduled,
        threshold: None,
        site,
        starts,
        ends,
        occupation: "Trainee",
    }
}

/// WLCAC's prototype spans several media pathways, so it names none;
/// 40 weeks × 6 h = 240 scheduled hours, stipend at ≥ 80 %.
#[rustfmt::skip]
pub(super) const WLCAC_MCPP: ProgramDef = ProgramDef {
    threshold: Some(80.0),
    ..pg("wlcac-mcpp", WLCAC, None, "Media Career Pathways Prototype", TrainingCohort, Time, Some(240.0),
        "WLCAC, 10950 S. Central Ave, Watts", (2026, 1, 12), (2026, 10, 16))
};

#[rustfmt::skip]
pub(super) const A2W_STUDIO: ProgramDef = pg("a2w-creative-studio", A2W, None, "Arts2Work Creative Studio", TrainingCohort,
    Competency, None, "WLCAC, Watts", (2025, 9, 2), (2027, 6, 25));

#[rustfmt::skip]
pub(super) const A2W_PRE: ProgramDef = ProgramDef {
    occupation: "Pre-Apprentice, Digital Media Production",
    ..pg("a2w-pre-apprenticeship", A2W, Some("MULTIMEDIA_PRODUCTION"), "Arts2Work Pre-Apprenticeship", PreApprenticeship,
        Hybrid, Some(540.0), "Los Angeles", (2026, 1, 12), (2026, 12, 18))
};

#[rustfmt::skip]
pub(super) const A2W_RA_DVE: ProgramDef = ra("a2w-ra-dve", "DIGITAL_VIDEO_EDITING",
    "Arts2Work Registered Apprenticeship – Digital Video Editor", "Digital Video Editor");

#[rustfmt::skip]
pub(super) const A2W_RA_MMP: ProgramDef = ra("a2w-ra-mmp", "MULTIMEDIA_PRODUCTION",
    "Arts2Work Registered Apprenticeship – Multimedia Producer", "Multimedia Producer");

#[rustfmt::skip]
pub(super) const A2W_RA_GD: ProgramDef = ra("a2w-ra-gd", "GRAPHIC_DESIGN",
    "Arts2Work Registered Apprenticeship – Graphic Designer", "Graphic Designer");

#[rustfmt::skip]
pub(super) const HOLA_LEP: ProgramDef = pg("hola-lep", HOLA, None, "Leadership Enrichment Program", Workshop, Time,
    Some(36.0), "HOLA, Lafayette Park (Westlake)", (2026, 2, 7), (2026, 6, 13));

#[rustfmt::skip]
pub(super) const LACHSA_STAGE: ProgramDef = pg("lachsa-stagecraft", LACHSA, Some("STAGECRAFT"), "Stagecraft Technical Theatre",
    CtePathway, Time, Some(324.0), "LACHSA, Cal State LA campus", (2025, 8, 13), (2027, 6, 4));

#[rustfmt::skip]
pub(super) const LACHSA_VIDEO: ProgramDef = pg("lachsa-video", LACHSA, Some("VIDEO_PRODUCTION"), "Video Production",
    CtePathway, Time, Some(324.0), "LACHSA, Cal State LA campus", (2025, 8, 13), (2027, 6, 4));

#[rustfmt::skip]
pub(super) const HCPR_CAMERA: ProgramDef = pg("hcpr-camera", HCPR, Some("CAMERA"),
    "Hollywood CPR Craft Training – Camera (with West LA College)", TrainingCohort, Hybrid, Some(400.0),
    "West Los Angeles College, Culver City", (2025, 9, 8), (2027, 6, 25));

#[rustfmt::skip]
pub(super) const HCPR_LIGHTING: ProgramDef = pg("hcpr-lighting", HCPR, Some("SET_LIGHTING"),
    "Hollywood CPR Craft Training – Set Lighting (with West LA College)", TrainingCohort, Hybrid, Some(400.0),
    "West Los Angeles College, Culver City", (2025, 9, 8), (2027, 6, 25));

#[rustfmt::skip]
pub(super) const HCPR_SOUND: ProgramDef = pg("hcpr-sound", HCPR, Some("SOUND"),
    "Hollywood CPR Craft Training – Production Sound (with West LA College)", TrainingCohort, Hybrid, Some(400.0),
    "West Los Angeles College, Culver City", (2025, 9, 8), (2027, 6, 25));

/// Manifest Works runs 12-week cohorts (12 × 30 h); the program spans the
/// fall 2026 and winter 2027 cohorts.
#[rustfmt::skip]
pub(super) const MW_12WEEK: ProgramDef = pg("mw-12week", MW, None, "Manifest Works 12-Week Production Training",
    TrainingCohort, Time, Some(360.0), "Manifest Works, Los Angeles", (2026, 8, 24), (2027, 4, 2));

#[rustfmt::skip]
pub(super) const SPACELA_VFX: ProgramDef = ProgramDef {
    occupation: "VFX & Motion Graphics Intern",
    ..pg("spacela-vfx", SPACELA, Some("VISUAL_EFFECTS"), "SpaceLA Paid Internship – Visual Effects & Motion Graphics",
        Internship, Time, Some(640.0), "SpaceLA, Los Angeles", (2026, 6, 15), (2027, 1, 29))
};

#[rustfmt::skip]
pub(super) const SPACELA_SOUND: ProgramDef = ProgramDef {
    occupation: "Audio Engineering Intern",
    ..pg("spacela-sound", SPACELA, Some("MUSIC_PRODUCTION"), "SpaceLA Paid Internship – Music & Sound Engineering",
        Internship, Time, Some(640.0), "SpaceLA, Los Angeles", (2026, 6, 15), (2027, 1, 29))
};

/// Every program, in the order they are inserted.
pub(super) const PROGRAMS: &[&ProgramDef] = &[
    &WLCAC_MCPP,
    &A2W_STUDIO,
    &A2W_PRE,
    &A2W_RA_DVE,
    &A2W_RA_MMP,
    &A2W_RA_GD,
    &HOLA_LEP,
    &LACHSA_STAGE,
    &LACHSA_VIDEO,
    &HCPR_CAMERA,
    &HCPR_LIGHTING,
    &HCPR_SOUND,
    &MW_12WEEK,
    &SPACELA_VFX,
    &SPACELA_SOUND,
];
