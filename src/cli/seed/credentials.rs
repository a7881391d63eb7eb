//! The credentials youth earn in the demo, as their issuers name them.

use super::demo;
use entity::enums::CredentialKind;

/// A credential as its issuer defines it.
pub(super) struct Cred {
    pub name: &'static str,
    pub kind: CredentialKind,
    /// The issuing organization's slug, when it is in the hub.
    pub issuer_org: Option<&'static str>,
    /// The issuer's name, when it is not.
    pub issuer_name: Option<&'static str>,
    pub valid_years: Option<u32>,
}

const fn industry(name: &'static str, issuer: &'static str, valid_years: Option<u32>) -> Cred {
    let kind = CredentialKind::IndustryCertification;
    Cred {
        name,
        kind,
        issuer_org: None,
        issuer_name: Some(issuer),
        valid_years,
    }
}

const fn by_org(name: &'static str, kind: CredentialKind, slug: &'static str) -> Cred {
    Cred {
        name,
        kind,
        issuer_org: Some(slug),
        issuer_name: None,
        valid_years: None,
    }
}

use CredentialKind::{ApprenticeshipCertificate, CompletionCertificate, Diploma};

/// "Adobe Certified Professional – <product>", valid three years.
macro_rules! adobe {
    ($product:literal) => {
        industry(
            concat!("Adobe Certified Professional – ", $product),
            "Adobe",
            Some(3),
        )
    };
}

pub(super) const ACP_PREMIERE: Cred = adobe!("Premiere Pro");
pub(super) const ACP_AFTER_EFFECTS: Cred = adobe!("After Effects");
pub(super) const ACP_PHOTOSHOP: Cred = adobe!("Photoshop");
pub(super) const ACP_ILLUSTRATOR: Cred = adobe!("Illustrator");
pub(super) const AVID_PRO_TOOLS: Cred = industry("Avid Certified User – Pro Tools", "Avid", None);
pub(super) const AVID_MEDIA_COMPOSER: Cred =
    industry("Avid Certified User – Media Composer", "Avid", None);
pub(super) const OSHA_10: Cred = industry(
    "OSHA 10-Hour – General Industry",
    "OSHA Outreach Training Program",
    None,
);

/// The industry's general safety training, required before union set work.
pub(super) const SAFETY_PASS: Cred = industry(
    "Safety Pass – Program A (General Safety)",
    "Contract Services Administration Trust Fund",
    None,
);

pub(super) const WLCAC_CERT: Cred = by_org(
    "Media Career Pathways Certificate of Completion",
    CompletionCertificate,
    demo::WLCAC,
);
pub(super) const A2W_CERT: Cred = by_org(
    "Arts2Work Certificate of Completion",
    CompletionCertificate,
    demo::A2W,
);

/// What the Office of Apprenticeship issues a registered apprentice who
/// completes the program.
pub(super) const DOL_CERT: Cred = Cred {
    name: "Certificate of Completion of Apprenticeship – Digital Video Editor",
    kind: ApprenticeshipCertificate,
    issuer_org: None,
    issuer_name: Some("U.S. Department of Labor, Office of Apprenticeship"),
    valid_years: None,
};

pub(super) const HCPR_CERT: Cred = by_org(
    "Hollywood CPR Certificate of Completion",
    CompletionCertificate,
    demo::HCPR,
);
pub(super) const MW_CERT: Cred = by_org(
    "Manifest Works Production Training Certificate",
    CompletionCertificate,
    demo::MW,
);
pub(super) const DIPLOMA: Cred = by_org("High School Diploma", Diploma, demo::LACHSA);
