//! Prefetching a participant page level by level, so that statements per
//! request follow the query's depth and not the number of rows.

use std::collections::HashSet;

use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use super::ContextExt;
use super::loaders::load_error;
use crate::ground::error::Result;

/// Loads each level of the requested participant tree for all `ids` at
/// once (`load_many`, one statement per kind), so that the fields' own
/// `load_one` calls are answered from the per-request cache and the number
/// of statements does not depend on how many participants a page holds.
///
/// Partner records are fetched at the same time: a page waits for the
/// slower of the partners and its own levels, not for their sum.
pub(super) async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let partner_kinds: Vec<_> = [
        ("partnerHourLogs", crate::adapters::RecordKind::HourLogs),
        (
            "partnerDualEnrollments",
            crate::adapters::RecordKind::DualEnrollments,
        ),
        (
            "partnerUnionMemberships",
            crate::adapters::RecordKind::UnionMemberships,
        ),
    ]
    .into_iter()
    .filter(|(field, _)| node.field(field).exists())
    .map(|(_, kind)| kind)
    .collect();
    let partners = async {
        if !partner_kinds.is_empty() {
            ctx.request().partners.prefetch(&partner_kinds, ids).await;
        }
    };
    let ((), own) =
        async_graphql::futures_util::future::join(partners, levels(ctx, node, ids)).await;
    own
}

/// The hub's own levels of the tree (see [`prefetch`]).
async fn levels(ctx: &Context<'_>, node: Lookahead<'_>, ids: &[Uuid]) -> Result<()> {
    let l = ctx.loaders();
    let keys = || ids.iter().copied();
    let any = |look: &Lookahead<'_>, fields: &[&str]| fields.iter().any(|f| look.field(f).exists());
    let mut orgs: HashSet<Uuid> = HashSet::new();
    if any(&node, &["givenName", "familyName", "preferredName"]) {
        l.identity.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["email", "phone", "postalCode", "guardianName"]) {
        l.contact.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["birthDate", "gender", "raceEthnicity"]) {
        l.demographics.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["priorityPopulations"]) {
        l.sensitive.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["version"]) {
        l.own_versions.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["links"]) {
        let links = l.links.load_many(keys()).await.map_err(load_error)?;
        orgs.extend(links.values().flatten().map(|r| r.org_id));
    }
    if any(&node, &["credentials"]) {
        let rows = l.credentials.load_many(keys()).await.map_err(load_error)?;
        orgs.extend(rows.values().flatten().filter_map(|r| r.issuer_org_id));
    }
    if any(&node, &["services"]) {
        let rows = l.services.load_many(keys()).await.map_err(load_error)?;
        orgs.extend(rows.values().flatten().map(|r| r.provider_org_id));
    }
    if any(&node, &["outcomes"]) {
        l.outcomes.load_many(keys()).await.map_err(load_error)?;
    }
    if any(&node, &["dualEnrollments"]) {
        let rows = l
            .dual_enrollments
            .load_many(keys())
            .await
            .map_err(load_error)?;
        orgs.extend(
            rows.values()
                .flatten()
                .flat_map(|r| [r.high_school_org_id, r.college_org_id]),
        );
    }
    if any(&node, &["consents"]) {
        let rows = l.consents.load_many(keys()).await.map_err(load_error)?;
        orgs.extend(
            rows.values()
                .flatten()
                .flat_map(|r| [Some(r.owner_org_id), r.recipient_org_id])
                .flatten(),
        );
    }
    let enrollments = node.field("enrollments");
    if enrollments.exists() {
        let rows = l.enrollments.load_many(keys()).await.map_err(load_error)?;
        let ids: Vec<Uuid> = rows.values().flatten().map(|r| r.id).collect();
        let programs: HashSet<Uuid> = rows.values().flatten().map(|r| r.program_id).collect();
        let program = enrollments.field("program");
        if program.exists() || any(&enrollments, &["attendancePct", "stipendEligible"]) {
            let loaded = l.programs.load_many(programs).await.map_err(load_error)?;
            if program.field("organization").exists() {
                orgs.extend(loaded.values().map(|p| p.org_id));
            }
            if program.field("pathway").exists() {
                l.pathways
                    .load_many(loaded.values().filter_map(|p| p.pathway_id))
                    .await
                    .map_err(load_error)?;
            }
        }
        if any(&enrollments, &["statusHistory"]) {
            l.status_changes
                .load_many(ids.iter().copied())
                .await
                .map_err(load_error)?;
        }
        if any(&enrollments, &["hourLogs"]) {
            l.hour_logs
                .load_many(ids.iter().copied())
                .await
                .map_err(load_error)?;
        }
        if any(
            &enrollments,
            &["ojtHours", "rtiHours", "attendancePct", "stipendEligible"],
        ) {
            l.hour_totals
                .load_many(ids.iter().copied())
                .await
                .map_err(load_error)?;
        }
        if any(&enrollments, &["competencyAttainments"]) {
            let rows = l
                .attainments
                .load_many(ids.iter().copied())
                .await
                .map_err(load_error)?;
            l.competencies
                .load_many(rows.values().flatten().map(|r| r.competency_id))
                .await
                .map_err(load_error)?;
        }
    }
    let mentorships = node.field("mentorships");
    if mentorships.exists() {
        let rows = l.mentorships.load_many(keys()).await.map_err(load_error)?;
        if mentorships.field("arrangedBy").exists() {
            orgs.extend(rows.values().flatten().map(|r| r.owner_org_id));
        }
        let mentor = mentorships.field("mentor");
        if mentor.exists() {
            let mentors = l
                .mentors
                .load_many(rows.values().flatten().map(|r| r.mentor_id))
                .await
                .map_err(load_error)?;
            if mentor.field("organization").exists() {
                orgs.extend(mentors.values().map(|m| m.org_id));
            }
        }
        if mentorships.field("meetings").exists() {
            l.meetings
                .load_many(rows.values().flatten().map(|r| r.id))
                .await
                .map_err(load_error)?;
        }
    }
    if !orgs.is_empty() {
        l.organizations.load_many(orgs).await.map_err(load_error)?;
    }
    Ok(())
}
