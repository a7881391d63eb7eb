//! Partner records at query time: `Participant.partnerHourLogs`,
//! `partnerDualEnrollments` and `partnerUnionMemberships`. One DataLoader per partner and
//! record kind per request batches every participant of the request into
//! one call; the loaders of different partners run in parallel. A partner
//! that fails leaves its records out and adds one `PARTNER_UNAVAILABLE`
//! error (with `extensions.partner`) to the field; the rest resolves.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::futures_util::future::join_all;
use async_graphql::{Context, OutputType, ServerResult, SimpleObject, Value};
use chrono::NaiveDate;
use entity::enums::{DualEnrollmentStatus, HourKind, UnionMembershipStatus};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::ContextExt;
use crate::adapters::{self, Partner, PartnerRecord, Partners, Record, RecordKind};
use crate::policy::Scopes;

/// What one partner answered for one participant. A failed call is a
/// value, not a loader error, so that the request's cache keeps it: every
/// field of the request sees the same failure and the partner is called
/// once per request, answer or not.
#[derive(Debug, Clone)]
pub enum PartnerAnswer {
    Records(Vec<PartnerRecord>),
    /// The partner did not answer usefully (or its breaker is open).
    Unavailable,
}

/// Our own side failed (database).
pub type PartnerLoadError = Arc<String>;

/// Records of one kind from one partner, by hub id, for one viewer.
pub struct PartnerLoader {
    db: DatabaseConnection,
    scopes: Scopes,
    partner: Arc<Partner>,
    kind: RecordKind,
}

impl Loader<Uuid> for PartnerLoader {
    type Value = PartnerAnswer;
    type Error = PartnerLoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, PartnerAnswer>, PartnerLoadError> {
        let Ok(org) = self.partner.org_id(&self.db).await else {
            return Ok(unavailable(keys));
        };
        // Who may see what is decided here, in SQL, before any call.
        let scope = self.scopes.of(self.kind.category());
        let links = adapters::visible_links(&self.db, &scope, &[org], keys)
            .await
            .map_err(|e| Arc::new(format!("{e:?}")))?;
        Ok(ask(
            &self.partner,
            self.kind,
            org,
            &links,
            keys,
            self.scopes.viewer().org_id,
        )
        .await)
    }
}

/// Every key answered `Unavailable` (the partner could not be asked).
fn unavailable(keys: &[Uuid]) -> HashMap<Uuid, PartnerAnswer> {
    keys.iter()
        .map(|k| (*k, PartnerAnswer::Unavailable))
        .collect()
}

/// Asks `partner` (organization `org`) for its `kind` records of the
/// participants `links` names — the crosswalk rows the policy let through
/// for it — and answers each of `keys`: its records, none when the
/// partner knows it under no visible id, or `Unavailable`.
async fn ask(
    partner: &Partner,
    kind: RecordKind,
    org: Uuid,
    links: &[(Uuid, Uuid, String)],
    keys: &[Uuid],
    viewer_org: Uuid,
) -> HashMap<Uuid, PartnerAnswer> {
    let links: Vec<(Uuid, String)> = links
        .iter()
        .filter(|(o, ..)| *o == org)
        .map(|(_, p, e)| (*p, e.clone()))
        .collect();
    if links.is_empty() {
        return keys
            .iter()
            .map(|k| (*k, PartnerAnswer::Records(Vec::new())))
            .collect();
    }
    let ids: Vec<String> = links.iter().map(|(_, e)| e.clone()).collect();
    let Ok(mapped) = partner.fetch(kind, &ids, viewer_org).await else {
        return unavailable(keys);
    };
    let mut found = adapters::by_participant(partner, org, &links, mapped);
    keys.iter()
        .map(|k| {
            (
                *k,
                PartnerAnswer::Records(found.remove(k).unwrap_or_default()),
            )
        })
        .collect()
}

/// The partner loaders of one request.
pub struct PartnerLoaders {
    loaders: Vec<(
        Arc<Partner>,
        RecordKind,
        DataLoader<PartnerLoader, HashMapCache>,
    )>,
    /// Per loader, the participants a prefetch already asked for in this
    /// request; held while a prefetch runs, so a second page of the same
    /// participants (an alias) waits for the first and asks nothing.
    asked: Vec<tokio::sync::Mutex<HashSet<Uuid>>>,
}

impl PartnerLoaders {
    /// Fresh loaders for one request; `scopes` are the viewer's.
    pub fn new(db: &DatabaseConnection, scopes: &Scopes, partners: &Partners) -> PartnerLoaders {
        let mut loaders = Vec::new();
        for partner in partners.all() {
            for kind in partner.kinds() {
                let loader = PartnerLoader {
                    db: db.clone(),
                    scopes: scopes.clone(),
                    partner: partner.clone(),
                    kind,
                };
                loaders.push((
                    partner.clone(),
                    kind,
                    DataLoader::with_cache(
                        loader,
                        super::loaders::spawn_in_span,
                        HashMapCache::default(),
                    )
                    .delay(std::time::Duration::from_millis(2)),
                ));
            }
        }
        let asked = loaders.iter().map(|_| Default::default()).collect();
        PartnerLoaders { loaders, asked }
    }

    /// Loads `kinds` for all `participants` from every partner at once
    /// (prefetch of a page) and puts the answers in the loaders' caches,
    /// where the fields' own loads find them. The whole page is known, so
    /// the loaders' batching delay is skipped, and which participants each
    /// partner may be asked about is one statement per kind for all
    /// partners (not one per partner). A failure of our own side is left
    /// for the fields to meet and report.
    pub async fn prefetch(
        &self,
        db: &DatabaseConnection,
        scopes: &Scopes,
        kinds: &[RecordKind],
        participants: &[Uuid],
    ) {
        join_all(
            kinds
                .iter()
                .map(|kind| self.prefetch_kind(db, scopes, *kind, participants)),
        )
        .await;
    }

    async fn prefetch_kind(
        &self,
        db: &DatabaseConnection,
        scopes: &Scopes,
        kind: RecordKind,
        participants: &[Uuid],
    ) {
        // Held until the answers are in the caches (in loader order, so
        // two prefetches cannot wait on each other).
        let mut held = Vec::new();
        for ((partner, k, loader), asked) in self.loaders.iter().zip(&self.asked) {
            if *k != kind {
                continue;
            }
            let mut asked = asked.lock().await;
            let fresh: Vec<Uuid> = participants
                .iter()
                .copied()
                .filter(|p| asked.insert(*p))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            match partner.org_id(db).await {
                Ok(org) => held.push((partner, org, loader, fresh, asked)),
                Err(_) => loader.feed_many(unavailable(&fresh)).await,
            }
        }
        let orgs: Vec<Uuid> = held.iter().map(|(_, org, ..)| *org).collect();
        let mut wanted: Vec<Uuid> = held.iter().flat_map(|(.., f, _)| f.clone()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let scope = scopes.of(kind.category());
        let Ok(links) = adapters::visible_links(db, &scope, &orgs, &wanted).await else {
            return;
        };
        let viewer_org = scopes.viewer().org_id;
        join_all(held.iter().map(|(partner, org, loader, fresh, _)| {
            let links = &links;
            async move {
                let answers = ask(partner, kind, *org, links, fresh, viewer_org).await;
                loader.feed_many(answers).await;
            }
        }))
        .await;
    }
}

/// Every partner record of `kind` about `participant`, partners called in
/// parallel; each failing partner adds one `PARTNER_UNAVAILABLE` error to
/// the field and contributes nothing. Returned records are audited as
/// disclosures of the partner organization's data.
pub(super) async fn records(
    ctx: &Context<'_>,
    kind: RecordKind,
    participant: Uuid,
) -> async_graphql::Result<Vec<PartnerRecord>> {
    let loaders = &ctx.request().partners.loaders;
    let calls = loaders
        .iter()
        .filter(|(_, k, _)| *k == kind)
        .map(|(partner, _, loader)| async move { (partner, loader.load_one(participant).await) });
    let mut all = Vec::new();
    let mut answered = false;
    let mut unavailable = Vec::new();
    for (partner, result) in join_all(calls).await {
        match result {
            Ok(Some(PartnerAnswer::Records(records))) => {
                answered = true;
                all.extend(records);
            }
            Ok(None) => {}
            Ok(Some(PartnerAnswer::Unavailable)) => unavailable.push(partner),
            Err(detail) => {
                return Err(crate::ground::error::Error::Internal(detail.to_string()).into());
            }
        }
    }
    // No partner answered: a field error, so the field is null (gateways
    // such as Hive pass on only errors of fields that are null). Another
    // partner's records, when they came, stay, with the failures beside.
    if let Some((first, rest)) = unavailable.split_first()
        && !answered
    {
        rest.iter().for_each(|partner| report(ctx, partner));
        return Err(first.unavailable().into());
    }
    unavailable.iter().for_each(|partner| report(ctx, partner));
    for r in &all {
        ctx.disclosures()
            .read(r.participant_id, kind.category(), r.owner_org_id);
    }
    Ok(all)
}

/// The participant fields whose records partners keep, and their kinds.
pub(super) const FIELDS: [(&str, RecordKind); 3] = [
    ("partnerHourLogs", RecordKind::HourLogs),
    ("partnerDualEnrollments", RecordKind::DualEnrollments),
    ("partnerUnionMemberships", RecordKind::UnionMemberships),
];

/// The partner field of `ctx` (one of [`FIELDS`]) about `participant`,
/// resolved as `Participant`'s own field resolves it: for a node whose
/// other fields the page statement answered.
pub(super) async fn resolve(ctx: &Context<'_>, participant: Uuid) -> ServerResult<Option<Value>> {
    let selection = ctx.with_selection_set(&ctx.item.node.selection_set);
    let kind = FIELDS
        .iter()
        .find(|(name, _)| *name == ctx.item.node.name.node.as_str())
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            async_graphql::Error::from(crate::ground::error::Error::Internal(
                "not a partner field".into(),
            ))
            .into_server_error(ctx.item.pos)
        })?;
    let records = records(ctx, kind, participant)
        .await
        .map_err(|e| ctx.set_error_path(e.into_server_error(ctx.item.pos)))?;
    let value = match kind {
        RecordKind::HourLogs => {
            OutputType::resolve(&Some(hour_logs(records)), &selection, ctx.item).await
        }
        RecordKind::DualEnrollments => {
            OutputType::resolve(&Some(dual_enrollments(records)), &selection, ctx.item).await
        }
        RecordKind::UnionMemberships => {
            OutputType::resolve(&Some(union_memberships(records)), &selection, ctx.item).await
        }
    };
    value.map(Some)
}

fn report(ctx: &Context<'_>, partner: &Partner) {
    let err: async_graphql::Error = partner.unavailable().into();
    let err = ctx.set_error_path(err.into_server_error(ctx.item.pos));
    ctx.add_error(err);
}

/// Hours kept in a partner's own system (an apprenticeship tracker),
/// fetched at query time. PROGRESS, owned by the partner organization.
#[derive(SimpleObject)]
pub struct PartnerHourLog {
    /// The partner the record comes from (its configured name).
    pub source: String,
    /// The partner's own id of the record.
    pub external_id: String,
    /// OJT, RTI, ATTENDANCE or MENTORING (through the partner's value map).
    pub kind: HourKind,
    /// The day the hours were worked or attended.
    pub worked_on: NaiveDate,
    /// Hours on that day.
    pub hours: f64,
    /// Whether the partner's system marks the hours approved.
    pub approved: bool,
}

/// A dual-enrollment course kept in a college's own student system,
/// fetched at query time. EDUCATION_RECORDS (FERPA), owned by the college.
#[derive(SimpleObject)]
pub struct PartnerDualEnrollment {
    /// The partner the record comes from (its configured name).
    pub source: String,
    /// The partner's own id of the record.
    pub external_id: String,
    /// The college's course code, e.g. `FILM 101`.
    pub course_code: String,
    /// The course's title.
    pub course_title: String,
    /// The college's term, e.g. `2026SP`.
    pub term: String,
    /// Units attempted.
    pub units_attempted: f64,
    /// Units earned; null until graded.
    pub units_earned: Option<f64>,
    /// The grade, as the college records it.
    pub grade: Option<String>,
    /// ENROLLED, COMPLETED, DROPPED or WITHDRAWN (through the value map).
    pub status: DualEnrollmentStatus,
}

/// The hour logs among `records`.
pub(super) fn hour_logs(records: Vec<PartnerRecord>) -> Vec<PartnerHourLog> {
    records
        .into_iter()
        .filter_map(|r| match r.record {
            Record::HourLog(h) => Some(PartnerHourLog {
                source: r.source,
                external_id: h.external_id,
                kind: h.kind,
                worked_on: h.worked_on,
                hours: h.hours,
                approved: h.approved,
            }),
            _ => None,
        })
        .collect()
}

/// The dual enrollments among `records`.
pub(super) fn dual_enrollments(records: Vec<PartnerRecord>) -> Vec<PartnerDualEnrollment> {
    records
        .into_iter()
        .filter_map(|r| match r.record {
            Record::DualEnrollment(d) => Some(PartnerDualEnrollment {
                source: r.source,
                external_id: d.external_id,
                course_code: d.course_code,
                course_title: d.course_title,
                term: d.term,
                units_attempted: d.units_attempted,
                units_earned: d.units_earned,
                grade: d.grade,
                status: d.status,
            }),
            _ => None,
        })
        .collect()
}

/// A person's standing on a union local's roster, kept in the union's own
/// system and fetched at query time. OUTCOMES, owned by the union.
#[derive(SimpleObject)]
pub struct PartnerUnionMembership {
    /// The partner the record comes from (its configured name).
    pub source: String,
    /// The partner's own id of the record.
    pub external_id: String,
    /// The local, as the union names it (e.g. `IATSE Local 600`).
    pub union_local: String,
    /// APPLICANT, MEMBER or INACTIVE (through the value map).
    pub status: UnionMembershipStatus,
    /// The craft or classification on the roster, if given.
    pub classification: Option<String>,
    /// The day the person joined (or applied), if given.
    pub joined_on: Option<NaiveDate>,
}

/// The union memberships among `records`.
pub(super) fn union_memberships(records: Vec<PartnerRecord>) -> Vec<PartnerUnionMembership> {
    records
        .into_iter()
        .filter_map(|r| match r.record {
            Record::UnionMembership(m) => Some(PartnerUnionMembership {
                source: r.source,
                external_id: m.external_id,
                union_local: m.union_local,
                status: m.status,
                classification: m.classification,
                joined_on: m.joined_on,
            }),
            _ => None,
        })
        .collect()
}
