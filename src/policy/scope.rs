//! [`Scope`]: the data-sharing rules of DESIGN.md section 4 as SQL.
//!
//! A `Scope` is what a viewer may read in one data category. Only this module
//! can build one ([`Scope::for_viewer`]), and every function that reads
//! participant data takes one, so a read that skipped the policy does not
//! compile. The scope never filters in Rust: it becomes a `WHERE` condition
//! over the row's owner and participant columns.
//!
//! A viewer from organization V may read a row owned by O, in category C,
//! about participant P, when V = O, or when an ACTIVE sharing agreement from
//! O to V covers C and today lies within its dates, and either the agreement
//! does not require consent or P has an ACTIVE consent covering C, signed and
//! not expired, for V or for every partner (`recipient_org_id` null). A
//! consent a guardian signed counts only until the youth's 18th birthday,
//! unless the youth has re-affirmed it — decided here from the birth date,
//! with no job.
//!
//! A youth with their own token (role `participant`) reads rows about
//! themself only, and of those what their account reaches (DESIGN.md
//! section 11): what the organization that issued the code may read, the
//! own rows of every organization that confirmed the link, or everything
//! once a hub_admin confirmed it.

use chrono::NaiveDate;
use entity::enums::{AgreementStatus, Category, ConsentStatus, SharingPurpose};
use entity::{consent, sharing_agreement};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, IntoColumnRef, Query};
use sea_orm::{Condition, Value};
use uuid::Uuid;

use crate::auth::{AccountReach, Role, Viewer};

/// What a viewer may read in one data category, as SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The reading organization; `None` when the viewer may read no
    /// participant rows at all (hub_admin or evaluator without staff role).
    reader: Option<Uuid>,
    /// The youth reading their own record: rows about this participant,
    /// as far as the account reaches.
    person: Option<(Uuid, AccountReach)>,
    category: Category,
    today: NaiveDate,
}

/// The comma-separated category set stored in `column` contains `category`
/// (exactly: `X`, `X,…`, `…,X` or `…,X,…`), portable across SQLite and
/// PostgreSQL without string concatenation.
pub(super) fn covers(column: impl IntoColumnRef, category: Category) -> Condition {
    let column = column.into_column_ref();
    let name = category.as_str();
    Condition::any()
        .add(Expr::col(column.clone()).eq(name))
        .add(Expr::col(column.clone()).like(format!("{name},%")))
        .add(Expr::col(column.clone()).like(format!("%,{name}")))
        .add(Expr::col(column).like(format!("%,{name},%")))
}

impl Scope {
    /// The scope of `viewer` in `category` on `today`. Participant data is
    /// for staff and org_admins of an organization; hub_admin and evaluator
    /// roles alone read none (reports are aggregates, not rows).
    pub fn for_viewer(viewer: &Viewer, category: Category, today: NaiveDate) -> Scope {
        let reader =
            (viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin)).then_some(viewer.org_id);
        let person = match (viewer.participant_id, &viewer.reach) {
            (Some(person), Some(reach)) if viewer.has(Role::Participant) => {
                Some((person, reach.clone()))
            }
            _ => None,
        };
        Scope {
            reader,
            person,
            category,
            today,
        }
    }

    /// The scope of staff of organization `org` in `category` on `today`.
    /// Used where the hub asks who else may read a row, not what the
    /// viewer may: the change feed's tombstones for an organization that
    /// lost access when a consent or an agreement changed.
    pub fn for_organization(org: Uuid, category: Category, today: NaiveDate) -> Scope {
        Scope {
            reader: Some(org),
            person: None,
            category,
            today,
        }
    }

    /// The category this scope is for.
    pub fn category(&self) -> Category {
        self.category
    }

    /// The reading organization, if it may read participant rows at all.
    pub fn reader(&self) -> Option<Uuid> {
        self.reader
    }

    /// The reading organization when this is an organization's scope
    /// (not a youth's own, not one that reads nothing).
    pub(super) fn organization_reader(&self) -> Option<Uuid> {
        self.reader.filter(|_| self.person.is_none())
    }

    /// The day this scope decides dates on.
    pub(super) fn today(&self) -> NaiveDate {
        self.today
    }

    /// Whether rows owned by `owner` are the reader's own.
    pub fn owns(&self, owner: Uuid) -> bool {
        self.reader == Some(owner)
    }

    /// The condition under which a row with owner column `owner` about the
    /// participant in column `participant` is readable. Columns must be
    /// qualified with their table (`(Entity, Column::X)`), because the
    /// condition holds correlated sub-queries.
    pub fn condition(
        &self,
        owner: impl IntoColumnRef,
        participant: impl IntoColumnRef,
    ) -> Condition {
        if let Some((person, reach)) = &self.person {
            let participant = participant.into_column_ref();
            let about = Condition::all().add(Expr::col(participant.clone()).eq(*person));
            if reach.everyone {
                return about;
            }
            // The issuing organization's own reach, plus the own rows of
            // every organization that confirmed the link.
            let owner = owner.into_column_ref();
            return about.add(
                Condition::any()
                    .add(Expr::col(owner.clone()).is_in(reach.orgs()))
                    .add(Expr::exists(self.agreement_query(
                        reach.issuer,
                        owner,
                        participant,
                    ))),
            );
        }
        let Some(reader) = self.reader else {
            // Nothing at all: a condition that is always false.
            return Condition::all().add(Expr::val(1).eq(0));
        };
        let owner = owner.into_column_ref();
        Condition::any()
            .add(Expr::col(owner.clone()).eq(reader))
            .add(Expr::exists(self.agreement_query(
                reader,
                owner,
                participant.into_column_ref(),
            )))
    }

    /// [`Scope::condition`] in the form for scanning many rows (counts):
    /// the same rule, with the reader's agreements and the consents as
    /// uncorrelated sets — `owner IN (providers without consent)`, or
    /// `owner IN (providers with consent) AND participant IN (consenting
    /// participants)` — which the database reads once per statement
    /// (PostgreSQL: a hashed sub-plan; SQLite: a temporary index), where
    /// the correlated form runs its sub-queries once per row. Where few
    /// rows are read (a page stops after `first` + 1) the correlated form
    /// is the faster. A youth's own scope is about one participant: the
    /// correlated form.
    pub fn set_condition(
        &self,
        owner: impl IntoColumnRef,
        participant: impl IntoColumnRef,
    ) -> Condition {
        if self.person.is_some() {
            return self.condition(owner, participant);
        }
        let Some(reader) = self.reader else {
            return Condition::all().add(Expr::val(1).eq(0));
        };
        let owner = owner.into_column_ref();
        Condition::any()
            .add(Expr::col(owner.clone()).eq(reader))
            .add(Expr::col(owner.clone()).in_subquery(self.providers(reader, false)))
            .add(
                Condition::all()
                    .add(Expr::col(owner).in_subquery(self.providers(reader, true)))
                    .add(
                        Expr::col(participant.into_column_ref())
                            .in_subquery(self.consenting(reader)),
                    ),
            )
    }

    /// Organizations whose ACTIVE agreement with `reader` covers this
    /// category today, and requires consent or not.
    fn providers(&self, reader: Uuid, consent: bool) -> sea_orm::sea_query::SelectStatement {
        self.providers_for(reader, consent, None)
    }

    /// [`Scope::providers`], with the agreement's purpose among `purposes`
    /// when given (reports: EVALUATION or REPORTING only).
    pub(super) fn providers_for(
        &self,
        reader: Uuid,
        consent: bool,
        purposes: Option<&[SharingPurpose]>,
    ) -> sea_orm::sea_query::SelectStatement {
        use sharing_agreement::Column as A;
        let a = Alias::new("pol_sa");
        let mut query = self.agreement_rows(reader, a.clone());
        query
            .column((a.clone(), A::ProviderOrgId))
            .and_where(Expr::col((a.clone(), A::RequiresConsent)).eq(consent));
        if let Some(purposes) = purposes {
            query.and_where(Expr::col((a, A::Purpose)).is_in(purposes.iter().map(|p| p.as_str())));
        }
        query
    }

    /// ACTIVE agreements (as `a`) with `reader` covering this category
    /// today, with nothing selected yet.
    fn agreement_rows(&self, reader: Uuid, a: Alias) -> sea_orm::sea_query::SelectStatement {
        use sharing_agreement::Column as A;
        let today = Value::from(self.today);
        Query::select()
            .from_as(sharing_agreement::Entity, a.clone())
            .and_where(Expr::col((a.clone(), A::RecipientOrgId)).eq(reader))
            .and_where(Expr::col((a.clone(), A::Status)).eq(AgreementStatus::Active.as_str()))
            .cond_where(covers((a.clone(), A::Categories), self.category))
            .and_where(Expr::col((a.clone(), A::EffectiveOn)).lte(today.clone()))
            .cond_where(
                Condition::any()
                    .add(Expr::col((a.clone(), A::ExpiresOn)).is_null())
                    .add(Expr::col((a, A::ExpiresOn)).gte(today)),
            )
            .to_owned()
    }

    /// Participants with a consent for `reader` (or every partner)
    /// covering this category today: [`Scope::consent_query`]'s rule as a
    /// set.
    pub(super) fn consenting(&self, reader: Uuid) -> sea_orm::sea_query::SelectStatement {
        use consent::Column as C;
        let c = Alias::new("pol_c");
        let mut query = self.consent_rows(reader, c.clone());
        query.column((c, C::ParticipantId));
        query
    }

    fn agreement_query(
        &self,
        reader: Uuid,
        owner: sea_orm::sea_query::ColumnRef,
        participant: sea_orm::sea_query::ColumnRef,
    ) -> sea_orm::sea_query::SelectStatement {
        use sharing_agreement::Column as A;
        let a = Alias::new("pol_sa");
        let mut query = self.agreement_rows(reader, a.clone());
        query
            .expr(Expr::val(1))
            .and_where(Expr::col((a.clone(), A::ProviderOrgId)).equals(owner))
            .cond_where(
                Condition::any()
                    .add(Expr::col((a, A::RequiresConsent)).eq(false))
                    .add(Expr::exists(self.consent_query(reader, participant))),
            );
        query
    }

    fn consent_query(
        &self,
        reader: Uuid,
        participant: sea_orm::sea_query::ColumnRef,
    ) -> sea_orm::sea_query::SelectStatement {
        use consent::Column as C;
        let c = Alias::new("pol_c");
        let mut query = self.consent_rows(reader, c.clone());
        query
            .expr(Expr::val(1))
            .and_where(Expr::col((c, C::ParticipantId)).equals(participant));
        query
    }

    /// Consents (as `c`) that hold for `reader` in this category today,
    /// with nothing selected yet.
    fn consent_rows(&self, reader: Uuid, c: Alias) -> sea_orm::sea_query::SelectStatement {
        use consent::Column as C;
        let mut query = consents_in_force(reader, self.today, c.clone());
        query.cond_where(covers((c, C::Categories), self.category));
        query
    }
}

/// Consents (as `c`) that hold for `reader` today, in whatever
/// categories they cover, with nothing selected yet: ACTIVE, for `reader`
/// or for every partner (`recipient_org_id` null), signed and not
/// expired, and a guardian's only while [`guardian_consent_holds`].
pub(super) fn consents_in_force(
    reader: Uuid,
    today: NaiveDate,
    c: Alias,
) -> sea_orm::sea_query::SelectStatement {
    use consent::Column as C;
    let day = Value::from(today);
    Query::select()
        .from_as(consent::Entity, c.clone())
        .and_where(Expr::col((c.clone(), C::Status)).eq(ConsentStatus::Active.as_str()))
        .cond_where(
            Condition::any()
                .add(Expr::col((c.clone(), C::RecipientOrgId)).is_null())
                .add(Expr::col((c.clone(), C::RecipientOrgId)).eq(reader)),
        )
        .and_where(Expr::col((c.clone(), C::SignedOn)).lte(day.clone()))
        .cond_where(
            Condition::any()
                .add(Expr::col((c.clone(), C::ExpiresOn)).is_null())
                .add(Expr::col((c.clone(), C::ExpiresOn)).gte(day)),
        )
        .cond_where(guardian_consent_holds(c, today))
        .to_owned()
}

/// The day a person born on or before it is 18 or older on `today`.
pub fn eighteenth_birthday_cutoff(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(18 * 12))
        .unwrap_or(NaiveDate::MIN)
}

/// A consent (table alias `c`) a guardian signed holds until the youth's
/// 18th birthday (by any profile's birth date), then only once the youth
/// re-affirmed it.
///
/// The youth's earliest birth date is a scalar sub-query, evaluated only
/// for a guardian's consent not re-affirmed (the `OR` stops before it for
/// every other consent). Written as `NOT EXISTS (an adult profile)`,
/// PostgreSQL hashed every adult profile (114 000 at 100 000
/// participants, 70–100 ms) each time a statement read the consents as a
/// set, for the few guardians' consents there are.
pub(super) fn guardian_consent_holds(c: Alias, today: NaiveDate) -> Condition {
    use consent::Column as C;
    use entity::participant_profile::Column as P;
    let p = Alias::new("pol_pp");
    let earliest_birth = Query::select()
        .expr(Expr::col((p.clone(), P::BirthDate)).min())
        .from_as(entity::participant_profile::Entity, p.clone())
        .and_where(Expr::col((p, P::ParticipantId)).equals((c.clone(), C::ParticipantId)))
        .to_owned();
    // No birth date at all: not known to be an adult.
    let minor = Func::coalesce([
        Expr::expr(Expr::SubQuery(None, Box::new(earliest_birth.into())))
            .gt(Value::from(eighteenth_birthday_cutoff(today))),
        Expr::val(true),
    ]);
    Condition::any()
        .add(Expr::col((c.clone(), C::GrantedBy)).ne(entity::enums::GrantedBy::Guardian.as_str()))
        .add(Expr::col((c, C::ReaffirmedAt)).is_not_null())
        .add(Expr::expr(minor))
}
