//! The change feed (DESIGN.md section 10): `change_log`, filled by
//! triggers on every participant-level table in the writing transaction,
//! and one hub-wide `change_version` in commit order.
//!
//! A partner resumes from the last version it saw, so it must never be
//! shown a version while a lower one can still commit. On PostgreSQL each
//! change takes a sequence value as it is written, and every transaction
//! publishes its first version as an advisory lock while it runs: readers
//! page only up to the oldest version in flight. On SQLite the one writer
//! stamps from a counter row in its transaction, so versions commit in
//! order.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A participant-level table: its kind and category, and how a row names
/// its participant and owner (`{r}` stands for `NEW` or `OLD`).
pub(crate) struct Tracked {
    pub(crate) table: &'static str,
    kind: &'static str,
    category: &'static str,
    participant: &'static str,
    owner: &'static str,
}

pub(crate) const TRACKED: &[Tracked] = &[
    Tracked {
        table: "participant_profile",
        kind: "PARTICIPANT_PROFILE",
        category: "IDENTITY",
        participant: "{r}.participant_id",
        owner: "{r}.org_id",
    },
    Tracked {
        table: "enrollment",
        kind: "ENROLLMENT",
        category: "ENROLLMENT",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "hour_log",
        kind: "HOUR_LOG",
        category: "PROGRESS",
        participant: "(SELECT e.participant_id FROM enrollment e WHERE e.id = {r}.enrollment_id)",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "competency_attainment",
        kind: "COMPETENCY_ATTAINMENT",
        category: "PROGRESS",
        participant: "(SELECT e.participant_id FROM enrollment e WHERE e.id = {r}.enrollment_id)",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "credential",
        kind: "CREDENTIAL",
        category: "CREDENTIALS",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "mentorship",
        kind: "MENTORSHIP",
        category: "MENTORSHIP",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "mentorship_meeting",
        kind: "MENTORSHIP_MEETING",
        category: "MENTORSHIP",
        participant: "(SELECT m.participant_id FROM mentorship m WHERE m.id = {r}.mentorship_id)",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "dual_enrollment",
        kind: "DUAL_ENROLLMENT",
        category: "EDUCATION_RECORDS",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "service",
        kind: "SERVICE",
        category: "SERVICES",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
    Tracked {
        table: "outcome",
        kind: "OUTCOME",
        category: "OUTCOMES",
        participant: "{r}.participant_id",
        owner: "{r}.owner_org_id",
    },
];

/// The advisory lock (one bigint key) a version is drawn under.
pub const DRAW_LOCK: i64 = -7_305_120_011;
/// First key (int4) of the two-key advisory locks naming the versions in
/// flight: `IN_FLIGHT + (v >> 31)`, `v & 0x7fffffff`.
pub const IN_FLIGHT: i32 = 730_500;

impl Tracked {
    /// `INSERT INTO change_log … ` for row `r` (`NEW`/`OLD`) and `operation`.
    fn insert(&self, r: &str, operation: &str) -> String {
        format!(
            "INSERT INTO change_log (kind, entity_id, participant_id, owner_org_id, category, operation) \
             VALUES ('{kind}', {r}.id, {participant}, {owner}, '{category}', '{operation}')",
            kind = self.kind,
            category = self.category,
            participant = self.participant.replace("{r}", r),
            owner = self.owner.replace("{r}", r),
        )
    }

    /// `INSERT INTO change_log … SELECT` for every row of `rows` (a table,
    /// or a transition table: one statement for a statement's rows,
    /// migration `m20261128_000018`) and `operation`.
    pub(crate) fn insert_all(&self, rows: &str, operation: &str) -> String {
        format!(
            "INSERT INTO change_log (kind, entity_id, participant_id, owner_org_id, category, operation) \
             SELECT '{kind}', r.id, {participant}, {owner}, '{category}', '{operation}' FROM {rows} r",
            kind = self.kind,
            category = self.category,
            participant = self.participant.replace("{r}", "r"),
            owner = self.owner.replace("{r}", "r"),
        )
    }

    /// Copies every existing row in as an upsert (a database migrated from
    /// before the feed starts with every row in it once).
    fn backfill(&self) -> String {
        format!(
            "{} ORDER BY r.created_at, r.id",
            self.insert_all(self.table, "UPSERT")
        )
    }
}

/// PL/pgSQL that draws the transaction's first version into `v` and
/// publishes it as an advisory lock held until the transaction ends, inside
/// a brief shared hold of the draw lock, and notes it for the transaction.
pub(crate) fn publish_first_version() -> String {
    format!(
        "PERFORM pg_advisory_lock_shared({DRAW_LOCK}); \
         v := nextval('change_version_seq'); \
         PERFORM pg_advisory_xact_lock({IN_FLIGHT} + (v >> 31)::int, (v & 2147483647)::int); \
         PERFORM pg_advisory_unlock_shared({DRAW_LOCK}); \
         PERFORM set_config('pathways.change_first', v::text, true);"
    )
}

fn postgres_statements() -> Vec<String> {
    let mut sql = vec![
        "CREATE SEQUENCE change_version_seq".to_owned(),
        // Each change takes the next value. The first change of a
        // transaction also publishes its version as an advisory lock held
        // until the transaction ends, drawn and locked inside a brief
        // shared lock, so that a reader (who takes that lock exclusively
        // for a moment) can see the oldest version still in flight and
        // never page past it (`records::feed::horizon`). No lock is held
        // across commits: writers commit as concurrently as before.
        format!(
            "CREATE FUNCTION change_log_stamp() RETURNS trigger AS $$ \
             DECLARE v bigint; first text; \
             BEGIN \
               first := current_setting('pathways.change_first', true); \
               IF first IS NULL OR first = '' THEN {publish} \
               ELSE \
                 v := nextval('change_version_seq'); \
               END IF; \
               NEW.change_version := v; \
               RETURN NEW; \
             END $$ LANGUAGE plpgsql",
            publish = publish_first_version(),
        ),
        "CREATE TRIGGER change_log_stamp BEFORE INSERT ON change_log \
           FOR EACH ROW EXECUTE FUNCTION change_log_stamp()"
            .to_owned(),
    ];
    for t in TRACKED {
        sql.extend(t.row_trigger());
    }
    sql
}

impl Tracked {
    /// The row trigger (and its function) that writes a row's change
    /// (PostgreSQL; statement triggers replace it in `m20261128_000018`).
    pub(crate) fn row_trigger(&self) -> [String; 2] {
        let name = format!("change_{}", self.table);
        [
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN \
                   IF TG_OP = 'DELETE' THEN {del}; RETURN OLD; \
                   ELSE {up}; RETURN NEW; END IF; \
                 END $$ LANGUAGE plpgsql",
                del = self.insert("OLD", "DELETE"),
                up = self.insert("NEW", "UPSERT"),
            ),
            format!(
                "CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                   FOR EACH ROW EXECUTE FUNCTION {name}()",
                table = self.table
            ),
        ]
    }
}

fn sqlite_statements() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)"
            .to_owned(),
        "INSERT INTO change_counter (id, value) VALUES (1, 0)".to_owned(),
        // SQLite has one writer at a time: stamping in the transaction is
        // stamping in commit order.
        "CREATE TRIGGER change_log_stamp AFTER INSERT ON change_log \
           WHEN NEW.change_version IS NULL BEGIN \
             UPDATE change_counter SET value = value + 1 WHERE id = 1; \
             UPDATE change_log SET change_version = (SELECT value FROM change_counter WHERE id = 1) \
               WHERE id = NEW.id; \
           END"
        .to_owned(),
    ];
    for t in TRACKED {
        for (event, r, operation) in [
            ("INSERT", "NEW", "UPSERT"),
            ("UPDATE", "NEW", "UPSERT"),
            ("DELETE", "OLD", "DELETE"),
        ] {
            sql.push(format!(
                "CREATE TRIGGER change_{table}_{ev} AFTER {event} ON {table} BEGIN {body}; END",
                table = t.table,
                ev = event.to_lowercase(),
                body = t.insert(r, operation),
            ));
        }
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("change_log")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer_null("change_version"))
                    .col(string_len("kind", 40))
                    .col(uuid("entity_id"))
                    .col(uuid_null("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("category", 40))
                    .col(string_len("operation", 10))
                    .col(uuid_null("audience_org_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_change_log_change_version")
                    .table("change_log")
                    .col("change_version")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_participant_id")
                    .table("change_log")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_owner_org_id_category")
                    .table("change_log")
                    .col("owner_org_id")
                    .col("category")
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_statements(),
            _ => sqlite_statements(),
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        for t in TRACKED {
            db.execute_unprepared(&t.backfill()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        for t in TRACKED {
            if postgres {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS change_{0} ON {0}; DROP FUNCTION IF EXISTS change_{0}()",
                    t.table
                ))
                .await?;
            } else {
                for ev in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS change_{}_{ev}",
                        t.table
                    ))
                    .await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table("change_log").to_owned())
            .await?;
        if postgres {
            db.execute_unprepared(
                "DROP FUNCTION IF EXISTS change_log_stamp(); DROP SEQUENCE IF EXISTS change_version_seq",
            )
            .await?;
        } else {
            db.execute_unprepared("DROP TABLE IF EXISTS change_counter")
                .await?;
        }
        Ok(())
    }
}
