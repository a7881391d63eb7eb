//! The page's consents: those of participant `p` the viewer may see
//! ([`Scopes::consent_condition`](crate::policy::Scopes::consent_condition),
//! as `reads::consents`), oldest signature first; and, for a consent's
//! `needsReaffirmation`, whether the participant is 18 or older by the
//! birth dates the viewer may read (DEMOGRAPHICS, as
//! `people::accounts::is_adult_as_read`).
//!
//! Keys: `cs` consents (`id`, `cat`egories as stored, `pu`rpose, `gb`
//! granted by, `gn` guardian name, `d` signed on, `x` expires on, `s`tatus
//! as stored, `ra` revoked at, `rf` reaffirmed at, `ve`rsion, `rc`
//! recipient or null and `rb` recorded by when asked); `ad` adult: {`a`
//! true or false}, or {`h` the profiles' holders} when no birth date is
//! readable.

use entity::enums::Category;
use entity::{consent, participant_profile};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

use super::{Sql, col};
use crate::policy;

/// What each consent carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentShape {
    pub recipient: bool,
    pub recorded_by: bool,
    /// Whether the participant is an adult (for `needsReaffirmation`).
    pub adult: bool,
}

impl Sql<'_> {
    pub(super) fn consents(&self, shape: &ConsentShape) -> Expr {
        let mut select = Query::select()
            .from_as(consent::Entity, Alias::new("cs"))
            .and_where(col("cs", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .cond_where(self.scopes.consent_condition(
                (Alias::new("cs"), Alias::new("owner_org_id")),
                (Alias::new("cs"), Alias::new("recipient_org_id")),
                (Alias::new("cs"), Alias::new("participant_id")),
            ))
            .to_owned();
        let mut pairs = vec![("id", self.id("cs", "id"))];
        Self::columns(
            &mut pairs,
            "cs",
            &[
                ("cat", "categories"),
                ("pu", "purpose"),
                ("gb", "granted_by"),
                ("gn", "guardian_name"),
                ("d", "signed_on"),
                ("x", "expires_on"),
                ("s", "status"),
                ("ra", "revoked_at"),
                ("rf", "reaffirmed_at"),
                ("ve", "version"),
            ],
        );
        if shape.recipient {
            let org = self.organization(&mut select, "cs_rc", ("cs", "recipient_org_id"), true);
            pairs.push(("rc", org));
        }
        if shape.recorded_by {
            let org = self.organization(&mut select, "cs_rb", ("cs", "owner_org_id"), false);
            pairs.push(("rb", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("cs", "signed_on"), col("cs", "id")])
    }

    /// Whether participant `p` is 18 or older today by the birth dates the
    /// viewer may read: `{a: bool}`, or `{h: holders}` when it may read
    /// none (for the audit's denial, as a refused profile field).
    pub(super) fn adult(&self) -> Expr {
        let births = |adult_only: bool| -> SelectStatement {
            let mut select = Query::select()
                .expr(Expr::val(1))
                .from_as(participant_profile::Entity, Alias::new("ad"))
                .and_where(col("ad", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
                .cond_where(self.scopes.of(Category::Demographics).condition(
                    (Alias::new("ad"), Alias::new("org_id")),
                    (Alias::new("ad"), Alias::new("participant_id")),
                ))
                .to_owned();
            if adult_only {
                let cutoff = policy::eighteenth_birthday_cutoff(self.scopes.today());
                select.and_where(col("ad", "birth_date").lte(cutoff));
            }
            select
        };
        let readable = Expr::case(
            Expr::exists(births(false)),
            self.object(vec![("a", Expr::exists(births(true)))]),
        )
        .finally(Expr::null());
        let refused = self.object(vec![("h", self.holders())]);
        self.cust("COALESCE($1, $2)", vec![readable.into(), refused])
    }
}
