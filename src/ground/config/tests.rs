//! Configuration: defaults, validation messages that name the setting,
//! the production and demo profiles.

use super::*;

fn from_toml(toml: &str) -> Result<Config, ConfigError> {
    Config::from_figment(Figment::new().merge(Toml::string(toml)))
}

const OK: &str = "match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"0123456789abcdef0123456789abcdef\"\n";

#[test]
fn outside_demo_mode_the_defaults_are_the_production_profile() {
    let limits = from_toml(OK).unwrap().limits;
    assert!(!limits.introspection && !limits.suggestions && !limits.graphiql);
    assert!(limits.csrf_prevention);
    assert_eq!(limits.max_batch, 5);
}

#[test]
fn a_complete_config_validates() {
    let config = from_toml(OK).unwrap();
    assert_eq!(config.listen_addr().unwrap().port(), 8080);
}

#[test]
fn short_secret_outside_demo_names_the_setting() {
    let err = from_toml("match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"short\"\n")
        .unwrap_err();
    assert!(err.0.contains("auth.hs256_secret"), "{err}");
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn wrong_type_and_unknown_key_name_the_setting() {
    let err = from_toml(&format!("{OK}token_ttl_secs = \"soon\"\n")).unwrap_err();
    assert!(err.0.contains("auth.token_ttl_secs"), "{err}");
    let err = from_toml(&format!("databse_url = \"x\"\n{OK}")).unwrap_err();
    assert!(err.0.contains("databse_url"), "{err}");
}

#[test]
fn bad_listen_and_database_url_are_named() {
    assert!(
        from_toml(&format!("listen = \"nowhere\"\n{OK}"))
            .unwrap_err()
            .0
            .contains("listen")
    );
    assert!(
        from_toml(&format!("database_url = \"mysql://x\"\n{OK}"))
            .unwrap_err()
            .0
            .contains("database_url")
    );
}

#[test]
fn read_replicas_are_postgres_and_the_pooler_is_named() {
    // OK's database is SQLite: a replica of it makes no sense.
    let err = from_toml(&format!("database_read_urls = [\"postgres://r/db\"]\n{OK}")).unwrap_err();
    assert!(err.0.contains("database_read_urls[0]"), "{}", err.0);
    let config = from_toml(&format!(
        "database_url = \"postgres://u@primary/db\"\ndatabase_read_urls = [\"postgres://u@replica/db\"]\ndatabase_pooler = \"transaction\"\n{OK}"
    ));
    let config = config.unwrap();
    assert_eq!(config.database_read_urls.len(), 1);
    assert_eq!(config.database_pooler, super::Pooler::Transaction);
    assert!(from_toml(&format!("database_pooler = \"session\"\n{OK}")).is_err());
}

const PARTNER: &str = "[[partners]]\nname = \"apprentiscope\"\norg = \"alliance-arts2work\"\nkind = \"rest_json\"\nbase_url = \"http://127.0.0.1:9/api\"\n[partners.records.hour_logs]\npath = \"/hours\"\nitems = \"data\"\n[partners.records.hour_logs.fields]\nparticipant = \"apprenticeId\"\nexternal_id = \"id\"\nkind = \"type\"\nworked_on = \"date\"\nhours = \"hours\"\n[partners.records.hour_logs.values.kind]\n\"On the job\" = \"OJT\"\n";

#[test]
fn a_partner_declaration_validates() {
    let config = from_toml(&format!("{OK}{PARTNER}")).unwrap();
    assert_eq!(config.partners[0].timeout_ms, 2000);
}

#[test]
fn a_bad_partner_mapping_names_the_setting() {
    for (broken, setting) in [
        (
            "hours = \"hours\"",
            "partners[0].records.hour_logs.fields.hours",
        ),
        (
            "= \"OJT\"",
            "partners[0].records.hour_logs.values.kind.On the job",
        ),
        ("items = \"data\"", "partners[0].records.hour_logs.items"),
        ("kind = \"rest_json\"", "partners[0].kind"),
        (
            "base_url = \"http://127.0.0.1:9/api\"",
            "partners[0].base_url",
        ),
    ] {
        let replacement = match setting {
            s if s.ends_with("fields.hours") => "hourz = \"hours\"",
            s if s.ends_with("On the job") => "= \"OVERTIME\"",
            s if s.ends_with("items") => "items = \"data..x\"",
            s if s.ends_with("kind") => "kind = \"soap\"",
            _ => "base_url = \"ftp://x\"",
        };
        let toml = format!("{OK}{}", PARTNER.replace(broken, replacement));
        let err = from_toml(&toml).unwrap_err();
        let expected = if setting.ends_with("fields.hours") {
            "partners[0].records.hour_logs.fields.hourz"
        } else {
            setting
        };
        assert!(err.0.contains(expected), "{setting}: {err}");
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn a_union_roster_declaration_validates_and_names_a_bad_value() {
    let roster = "[[partners]]\nname = \"local600\"\norg = \"iatse-600\"\nkind = \"rest_json\"\nbase_url = \"http://127.0.0.1:9\"\n[partners.records.union_memberships]\npath = \"/roster\"\nitems = \"roster\"\n[partners.records.union_memberships.fields]\nparticipant = \"member\"\nexternal_id = \"rec\"\nunion_local = \"local\"\nstatus = \"standing\"\n[partners.records.union_memberships.values.status]\nJourneyman = \"MEMBER\"\n";
    from_toml(&format!("{OK}{roster}")).unwrap();
    let err = from_toml(&format!(
        "{OK}{}",
        roster.replace("\"MEMBER\"", "\"JOURNEYMAN\"")
    ))
    .unwrap_err();
    assert!(
        err.0
            .contains("partners[0].records.union_memberships.values.status.Journeyman"),
        "{err}"
    );
    let err = from_toml(&format!(
        "{OK}{}",
        roster.replace("union_local = \"local\"\n", "")
    ))
    .unwrap_err();
    assert!(
        err.0
            .contains("partners[0].records.union_memberships.fields.union_local"),
        "{err}"
    );
}

#[test]
fn suppression_threshold_defaults_to_11_and_is_checked() {
    assert_eq!(from_toml(OK).unwrap().reports.suppression_threshold, 11);
    let config = from_toml(&format!("{OK}[reports]\nsuppression_threshold = 5\n")).unwrap();
    assert_eq!(config.reports.suppression_threshold, 5);
    let err = from_toml(&format!("{OK}[reports]\nsuppression_threshold = 1\n")).unwrap_err();
    assert!(err.0.contains("reports.suppression_threshold"), "{err}");
    let err = from_toml(&format!("{OK}[reports]\nthreshold = 5\n")).unwrap_err();
    assert!(err.0.contains("reports"), "{err}");
}

#[test]
fn differential_reports_are_configured_and_checked() {
    let config = from_toml(OK).unwrap();
    assert_eq!(config.reports.privacy, super::Privacy::Exact);
    let config = from_toml(&format!(
        "{OK}[reports]\nprivacy = \"differential\"\nepsilon = 0.5\nyearly_budget = 4.0\n"
    ))
    .unwrap();
    assert_eq!(config.reports.privacy, super::Privacy::Differential);
    assert_eq!(
        (config.reports.epsilon, config.reports.yearly_budget),
        (0.5, 4.0)
    );
    for (setting, bad) in [
        ("reports.epsilon", "epsilon = 0.0"),
        (
            "reports.yearly_budget",
            "epsilon = 2.0\nyearly_budget = 1.0",
        ),
        ("reports.max_hours_per_person", "max_hours_per_person = 0.0"),
    ] {
        let err = from_toml(&format!("{OK}[reports]\n{bad}\n")).unwrap_err();
        assert!(err.0.contains(setting), "{err}");
    }
    let err = from_toml(&format!("{OK}[reports]\nprivacy = \"noisy\"\n")).unwrap_err();
    assert!(err.0.contains("privacy"), "{err}");
}

#[test]
fn demo_config_is_valid() {
    let config = from_toml(&demo_config_toml()).unwrap();
    assert!(config.demo);
    // Demo mode keeps the developer-friendly limits…
    assert!(config.limits.introspection && config.limits.suggestions);
    assert!(config.limits.graphiql && !config.limits.csrf_prevention);
    assert_eq!(config.limits.max_batch, 10);
    // …unless configured otherwise.
    let config = from_toml(&format!(
        "{}\n[limits]\nintrospection = false\n",
        demo_config_toml()
    ))
    .unwrap();
    assert!(!config.limits.introspection, "{:?}", config.limits);
    assert!(config.limits.graphiql, "{:?}", config.limits);
}

#[test]
fn a_jwks_url_is_https_or_a_loopback_address() {
    for fine in [
        "https://issuer.example.org/.well-known/jwks.json",
        "http://127.0.0.1:8081/jwks.json",
        "http://127.10.0.3/jwks.json",
        "http://[::1]:8081/jwks.json",
        "http://localhost:8081/jwks.json",
        "http://LOCALHOST/jwks.json",
    ] {
        from_toml(&format!("{OK}jwks_url = \"{fine}\"\n"))
            .unwrap_or_else(|err| panic!("{fine}: {err}"));
    }
    for refused in [
        "http://issuer.example.org/.well-known/jwks.json",
        "http://10.0.0.5/jwks.json",
        "http://128.0.0.1/jwks.json",
        "http://[::2]/jwks.json",
        "http://localhost.example.org/jwks.json",
        "ftp://127.0.0.1/jwks.json",
        "not a url",
    ] {
        let err = from_toml(&format!("{OK}jwks_url = \"{refused}\"\n")).unwrap_err();
        assert!(err.0.contains("`auth.jwks_url`"), "{refused}: {err}");
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn unsealed_alert_defaults_to_a_minute_and_is_checked() {
    assert_eq!(from_toml(OK).unwrap().audit.unsealed_alert_secs, 60);
    let config = from_toml(&format!("{OK}[audit]\nunsealed_alert_secs = 0\n")).unwrap();
    assert_eq!(config.audit.unsealed_alert_secs, 0);
    let err = from_toml(&format!("{OK}[audit]\nunsealed_alert_secs = 99999999999\n")).unwrap_err();
    assert!(err.0.contains("audit.unsealed_alert_secs"), "{err}");
    let err = from_toml(&format!("{OK}[audit]\nunsealed_alert_secs = -1\n")).unwrap_err();
    assert!(err.0.contains("audit.unsealed_alert_secs"), "{err}");
}

#[test]
fn a_webhook_url_is_https_or_a_loopback_address() {
    let hook = |url: &str| {
        format!(
            "{OK}[[webhooks]]\norg = \"hola\"\nurl = \"{url}\"\nsecret = \"hola-webhook-secret-0123456789\"\n"
        )
    };
    for fine in [
        "https://partner.example.org/hook",
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
    ] {
        from_toml(&hook(fine)).unwrap_or_else(|err| panic!("{fine}: {err}"));
    }
    for refused in [
        "http://partner.example.org/hook",
        "http://10.0.0.5/hook",
        "ftp://127.0.0.1/hook",
    ] {
        let err = from_toml(&hook(refused)).unwrap_err();
        assert!(err.0.contains("webhooks[0].url"), "{refused}: {err}");
    }
}
