//! The page's account link: the youth's live link (`people::links`), for
//! the viewers [`policy::link_readers`] names — every youth's for a hub_admin,
//! those whose profile its organization keeps for staff and org_admins.
//!
//! Key: `ac` — null when the viewer may not see the link (refused as
//! IDENTITY, as `links::of_participant` refuses it), else {`a`: the link
//! or null when the youth has none}. A link is {`li` linked at, `is` the
//! issuing organization when asked, `cf` confirmations oldest first
//! {`o` the organization's id or null (a hub_admin's, for every
//! organization), `org` the organization when asked, `on` confirmed at}}.

use entity::{account_link_confirmation, participant_account, participant_profile};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

use super::{Sql, col};
use crate::policy::{self, LinkReaders};

/// What an account link carries besides its time and confirmations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountShape {
    pub issued_by: bool,
    /// The confirming organizations.
    pub confirmers: bool,
}

impl Sql<'_> {
    pub(super) fn account(&self, shape: &AccountShape) -> Expr {
        let viewer = self.scopes.viewer();
        let readers = policy::link_readers(viewer);
        if readers == LinkReaders::Never {
            return Expr::null();
        }
        let mut confirmations = Query::select()
            .from_as(account_link_confirmation::Entity, Alias::new("cf"))
            .and_where(col("cf", "account_id").equals((Alias::new("pa"), Alias::new("id"))))
            .to_owned();
        let mut pairs = vec![
            ("o", self.id_or_null("cf", "org_id")),
            ("on", col("cf", "confirmed_at")),
        ];
        if shape.confirmers {
            let org = self.organization(&mut confirmations, "cf_org", ("cf", "org_id"), true);
            pairs.push(("org", org));
        }
        let confirmation = self.object(pairs);
        let confirmations = self.array(
            confirmations,
            confirmation,
            [col("cf", "confirmed_at"), col("cf", "id")],
        );
        let mut link = Query::select()
            .from_as(participant_account::Entity, Alias::new("pa"))
            .and_where(col("pa", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .limit(1)
            .to_owned();
        let mut pairs = vec![("li", col("pa", "linked_at")), ("cf", confirmations)];
        if shape.issued_by {
            let org = self.organization(&mut link, "pa_is", ("pa", "linked_org_id"), false);
            pairs.push(("is", org));
        }
        link.expr(self.object(pairs));
        let seen = self.object(vec![("a", self.nested(link))]);
        if readers == LinkReaders::Always {
            return seen;
        }
        let holds = Query::select()
            .expr(Expr::val(1))
            .from_as(participant_profile::Entity, Alias::new("ah"))
            .and_where(col("ah", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .and_where(col("ah", "org_id").eq(viewer.org_id))
            .to_owned();
        Expr::case(Expr::exists(holds), seen)
            .finally(Expr::null())
            .into()
    }

    /// A nullable id as JSON text (see [`Sql::id`]).
    fn id_or_null(&self, table: &str, column: &str) -> Expr {
        if self.pg {
            col(table, column)
        } else {
            Expr::case(col(table, column).is_null(), Expr::null())
                .finally(self.id(table, column))
                .into()
        }
    }
}
