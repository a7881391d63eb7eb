//! The page's profile levels: the profile a field of each category
//! resolves from (`people::participants::pick`: the viewer's own, else the
//! most recently updated one readable in that category), the version of
//! the viewer's own profile, and the identity crosswalk (`links`).
//!
//! Keys: `i` IDENTITY (`o`, `g`iven, `f`amily, `p`referred); `ct` CONTACT
//! (`o`, `em`ail, `ph`one, `pc` postal code, `gn` guardian name); `dm`
//! DEMOGRAPHICS (`o`, `bd` birth date, `ge`nder, `re` race/ethnicity);
//! `se` SENSITIVE (`o`, `pp` priority populations as stored) — each null
//! when no profile is readable in its category, then `h` alone: the
//! organizations keeping a profile of the person (ids only, for the
//! audit's denial, never answered); `v` the own profile's
//! version or null; `l` links (`o` the organization, `x` its own id,
//! `src` source, `org` the organization when asked), by external id.

use entity::enums::Category;
use entity::{participant_link, participant_profile};
use sea_orm::Order;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

use super::{Sql, col};

/// What each link carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkShape {
    pub organization: bool,
}

/// The profile columns of each category the page reads, under their keys.
pub(super) fn profile_columns(category: Category) -> &'static [(&'static str, &'static str)] {
    match category {
        Category::Identity => &[
            ("g", "given_name"),
            ("f", "family_name"),
            ("p", "preferred_name"),
        ],
        Category::Contact => &[
            ("em", "email"),
            ("ph", "phone"),
            ("pc", "postal_code"),
            ("gn", "guardian_name"),
        ],
        Category::Demographics => &[
            ("bd", "birth_date"),
            ("ge", "gender"),
            ("re", "race_ethnicity"),
        ],
        _ => &[("pp", "priority_populations")],
    }
}

impl Sql<'_> {
    /// The profile `people::participants::pick` would choose among those
    /// readable in `category`: the viewer's own, else the most recently
    /// updated — with that category's columns.
    pub(super) fn profile(&self, category: Category) -> Expr {
        let scope = self.scopes.of(category);
        let mine = match scope.reader() {
            Some(org) => col("pp", "org_id").eq(org),
            None => Expr::val(false),
        };
        let mut pairs = vec![("o", self.id("pp", "org_id"))];
        pairs.extend(
            profile_columns(category)
                .iter()
                .map(|(key, c)| (*key, col("pp", c))),
        );
        let object = self.object(pairs);
        let select = Query::select()
            .expr(object)
            .from_as(participant_profile::Entity, Alias::new("pp"))
            .and_where(col("pp", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .cond_where(scope.condition(
                (Alias::new("pp"), Alias::new("org_id")),
                (Alias::new("pp"), Alias::new("participant_id")),
            ))
            .order_by_expr(
                Expr::case(mine, Expr::val(0)).finally(Expr::val(1)).into(),
                Order::Asc,
            )
            .order_by_expr(col("pp", "updated_at"), Order::Desc)
            .limit(1)
            .to_owned();
        // None readable: who holds one (as `audit::reads` would look up).
        let refused = self.object(vec![("h", self.holders())]);
        self.cust("COALESCE($1, $2)", vec![self.nested(select), refused])
    }

    /// The organizations keeping a profile of participant `p` (ids only,
    /// for the audit's denial when none is readable, never answered).
    pub(super) fn holders(&self) -> Expr {
        let select = Query::select()
            .expr(self.cust(
                if self.pg {
                    "COALESCE(json_agg($1), '[]'::json)"
                } else {
                    "json_group_array($1)"
                },
                vec![self.id("ph", "org_id")],
            ))
            .from_as(participant_profile::Entity, Alias::new("ph"))
            .and_where(col("ph", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .to_owned();
        self.nested(select)
    }

    /// The version of the viewer's organization's own profile, as
    /// `people::participants::own_versions` reads it (null when none).
    pub(super) fn version(&self) -> Expr {
        let org = self.scopes.viewer().org_id;
        let select = Query::select()
            .expr(col("pv", "version"))
            .from_as(participant_profile::Entity, Alias::new("pv"))
            .and_where(col("pv", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .and_where(col("pv", "org_id").eq(org))
            .limit(1)
            .to_owned();
        Expr::from(select)
    }

    /// The links the viewer may read in IDENTITY, as
    /// `people::participants::links` reads them, by external id.
    pub(super) fn links(&self, shape: &LinkShape) -> Expr {
        let scope = self.scopes.of(Category::Identity);
        let mut select = Query::select()
            .from_as(participant_link::Entity, Alias::new("l"))
            .and_where(col("l", "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .cond_where(scope.condition(
                (Alias::new("l"), Alias::new("org_id")),
                (Alias::new("l"), Alias::new("participant_id")),
            ))
            .to_owned();
        let mut pairs = vec![
            ("o", self.id("l", "org_id")),
            ("x", col("l", "external_id")),
            ("src", col("l", "source")),
        ];
        if shape.organization {
            let org = self.organization(&mut select, "l_org", ("l", "org_id"), false);
            pairs.push(("org", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("l", "external_id"), col("l", "id")])
    }
}
