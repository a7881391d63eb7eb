//! Prefetching a participant page level by level, so that statements per
//! request follow the query's depth and not the number of rows.

use std::collections::HashSet;

use async_graphql::futures_util;
use async_graphql::futures_util::future::{BoxFuture, try_join_all};
use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use super::ContextExt;
use super::loaders::load_now;
use crate::ground::error::Result;

/// Loads each level of the requested participant tree for all `ids` at
/// once ([`load_now`], one statement per kind), so that the fields' own
/// `load_one` calls are answered from the per-request cache and the number
/// of statements does not depend on how many participants a page holds.
///
/// Partner records are fetched at the same time: a page waits for the
/// slower of the partners and its own levels, not for their sum.
pub(super) async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let partner_kinds: Vec<_> = super::partners::FIELDS
        .into_iter()
        .filter(|(field, _)| node.field(field).exists())
        .map(|(_, kind)| kind)
        .collect();
    let partners = async {
        if !partner_kinds.is_empty() {
            ctx.request()
                .partners
                .prefetch(ctx.db(), ctx.scopes(), &partner_kinds, ids)
                .await;
        }
    };
    let ((), own) =
        async_graphql::futures_util::future::join(partners, levels(ctx, node, ids)).await;
    own
}

type Branch<'a> = BoxFuture<'a, Result<Vec<Uuid>>>;

/// The hub's own levels of the tree (see [`prefetch`]). Everything a level
/// needs is known once its parent level is in, so the kinds of one level
/// run at the same time, each on its own pooled connection: a page waits
/// for its deepest chain of statements (participants → enrollments → hour
/// logs), not for the sum of all of them. Each branch answers the
/// organizations its rows name, which are loaded last, in one statement.
async fn levels(ctx: &Context<'_>, node: Lookahead<'_>, ids: &[Uuid]) -> Result<()> {
    let l = ctx.loaders();
    let keys = || ids.iter().copied();
    let any = |look: &Lookahead<'_>, fields: &[&str]| fields.iter().any(|f| look.field(f).exists());
    let none = |done: Result<()>| done.map(|()| Vec::new());
    let mut branches: Vec<Branch<'_>> = Vec::new();
    if any(&node, &["givenName", "familyName", "preferredName"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.identity, keys()).await.map(drop))
        }));
    }
    if any(&node, &["email", "phone", "postalCode", "guardianName"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.contact, keys()).await.map(drop))
        }));
    }
    if any(&node, &["birthDate", "gender", "raceEthnicity"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.demographics, keys()).await.map(drop))
        }));
    }
    if any(&node, &["priorityPopulations"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.sensitive, keys()).await.map(drop))
        }));
    }
    if any(&node, &["version"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.own_versions, keys()).await.map(drop))
        }));
    }
    if any(&node, &["outcomes"]) {
        branches.push(Box::pin(async move {
            none(load_now(&l.outcomes, keys()).await.map(drop))
        }));
    }
    if any(&node, &["links"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.links, keys()).await?;
            Ok(rows.values().flatten().map(|r| r.org_id).collect())
        }));
    }
    if any(&node, &["credentials"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.credentials, keys()).await?;
            Ok(rows
                .values()
                .flatten()
                .filter_map(|r| r.issuer_org_id)
                .collect())
        }));
    }
    if any(&node, &["services"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.services, keys()).await?;
            Ok(rows.values().flatten().map(|r| r.provider_org_id).collect())
        }));
    }
    if any(&node, &["dualEnrollments"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.dual_enrollments, keys()).await?;
            Ok(rows
                .values()
                .flatten()
                .flat_map(|r| [r.high_school_org_id, r.college_org_id])
                .collect())
        }));
    }
    if any(&node, &["consents"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.consents, keys()).await?;
            Ok(rows
                .values()
                .flatten()
                .flat_map(|r| [Some(r.owner_org_id), r.recipient_org_id])
                .flatten()
                .collect())
        }));
    }
    let enrollments = node.field("enrollments");
    if enrollments.exists() {
        branches.push(Box::pin(enrollment_levels(ctx, enrollments, ids)));
    }
    let mentorships = node.field("mentorships");
    if mentorships.exists() {
        branches.push(Box::pin(mentorship_levels(ctx, mentorships, ids)));
    }
    let orgs: HashSet<Uuid> = try_join_all(branches)
        .await?
        .into_iter()
        .flatten()
        .collect();
    if !orgs.is_empty() {
        load_now(&l.organizations, orgs).await?;
    }
    Ok(())
}

/// Enrollments, then — at the same time — their programs (and pathways),
/// status history, hour logs, hour totals and competency attainments.
async fn enrollment_levels(
    ctx: &Context<'_>,
    enrollments: Lookahead<'_>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>> {
    let l = ctx.loaders();
    let any = |fields: &[&str]| fields.iter().any(|f| enrollments.field(f).exists());
    let rows = load_now(&l.enrollments, ids.iter().copied()).await?;
    let enrollment_ids: Vec<Uuid> = rows.values().flatten().map(|r| r.id).collect();
    let keys = || enrollment_ids.iter().copied();
    let mut branches: Vec<Branch<'_>> = Vec::new();
    let program = enrollments.field("program");
    if program.exists() || any(&["attendancePct", "stipendEligible"]) {
        let programs: HashSet<Uuid> = rows.values().flatten().map(|r| r.program_id).collect();
        branches.push(Box::pin(async move {
            let loaded = load_now(&l.programs, programs).await?;
            if program.field("pathway").exists() {
                load_now(&l.pathways, loaded.values().filter_map(|p| p.pathway_id)).await?;
            }
            Ok(if program.field("organization").exists() {
                loaded.values().map(|p| p.org_id).collect()
            } else {
                Vec::new()
            })
        }));
    }
    if any(&["statusHistory"]) {
        branches.push(Box::pin(async move {
            load_now(&l.status_changes, keys()).await?;
            Ok(Vec::new())
        }));
    }
    if any(&["hourLogs"]) {
        branches.push(Box::pin(async move {
            load_now(&l.hour_logs, keys()).await?;
            Ok(Vec::new())
        }));
    }
    if any(&["ojtHours", "rtiHours", "attendancePct", "stipendEligible"]) {
        branches.push(Box::pin(async move {
            load_now(&l.hour_totals, keys()).await?;
            Ok(Vec::new())
        }));
    }
    if any(&["competencyAttainments"]) {
        branches.push(Box::pin(async move {
            let rows = load_now(&l.attainments, keys()).await?;
            load_now(
                &l.competencies,
                rows.values().flatten().map(|r| r.competency_id),
            )
            .await?;
            Ok(Vec::new())
        }));
    }
    Ok(try_join_all(branches)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// Mentorships, then — at the same time — their mentors and meetings.
async fn mentorship_levels(
    ctx: &Context<'_>,
    mentorships: Lookahead<'_>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>> {
    let l = ctx.loaders();
    let rows = load_now(&l.mentorships, ids.iter().copied()).await?;
    let mut orgs: Vec<Uuid> = Vec::new();
    if mentorships.field("arrangedBy").exists() {
        orgs.extend(rows.values().flatten().map(|r| r.owner_org_id));
    }
    let mentor = mentorships.field("mentor");
    let mentors = async {
        if !mentor.exists() {
            return Ok(Vec::new());
        }
        let mentors = load_now(&l.mentors, rows.values().flatten().map(|r| r.mentor_id)).await?;
        Ok(if mentor.field("organization").exists() {
            mentors.values().map(|m| m.org_id).collect()
        } else {
            Vec::new()
        })
    };
    let meetings = async {
        if mentorships.field("meetings").exists() {
            load_now(&l.meetings, rows.values().flatten().map(|r| r.id)).await?;
        }
        Ok::<_, crate::ground::error::Error>(())
    };
    let (from_mentors, ()) = futures_util::future::try_join(mentors, meetings).await?;
    orgs.extend(from_mentors);
    Ok(orgs)
}
