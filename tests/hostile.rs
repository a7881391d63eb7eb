//! Hostile input over HTTP against the real server (demo data loaded):
//! every case gets its documented code (or, for SQL metacharacters in
//! arguments, exactly the rows such a string matches: none), never a 5xx,
//! and the database is exactly as it was (a checksum of every column of
//! every row of every table).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Value, json};

/// What a case sends.
enum Send {
    /// JSON body to POST /graphql.
    Json(Value),
    /// Raw bytes to POST /graphql with a content type.
    Raw(&'static str, Vec<u8>),
    /// GET /graphql with these query parameters.
    Get(Vec<(&'static str, String)>),
    /// JSON body with this Authorization header instead of the staff token.
    AuthHeader(String, Value),
}

struct Case {
    name: &'static str,
    send: Send,
    expect: Expect,
}

/// What a case must answer.
enum Expect {
    /// The first error's `extensions.code`.
    Code(&'static str),
    /// No errors, and exactly this `data`.
    Data(Value),
}

use Expect::{Code, Data};

fn q(query: &str) -> Send {
    Send::Json(json!({ "query": query }))
}

fn qv(query: &str, variables: Value) -> Send {
    Send::Json(json!({ "query": query, "variables": variables }))
}

fn token_with(header: &str, claims: Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn cases(app: &TestApp) -> Vec<Case> {
    let sql = [
        "' OR '1'='1",
        "\"; DROP TABLE participant; --",
        "%' UNION SELECT * FROM participant_profile --",
        "\\'; SELECT pg_sleep(5); --",
        "x')) OR 1=1/*",
    ];
    let exp = (chrono::Utc::now() + chrono::Duration::hours(1)).timestamp();
    let claims = json!({ "sub": "evil", "org": "wlcac", "roles": ["hub_admin"], "iss": "pathways-hub", "aud": "pathways-hub", "exp": exp });
    let good = app.staff("wlcac");
    let forged = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        parts.join(".")
    };
    let deep = format!(
        "{{ {}{}{} }}",
        "organizations { programs { organization { ".repeat(6),
        "slug",
        " } } }".repeat(6)
    );
    let very_deep = format!(
        "{{ {}slug{} }}",
        "a: viewer { ".repeat(200),
        " }".repeat(200)
    );
    let aliases = format!(
        "{{ {} }}",
        (0..100)
            .map(|i| format!("a{i}: viewer {{ subject }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut fragment_bomb = String::from("query { ...F0 }\n");
    for i in 0..12 {
        fragment_bomb.push_str(&format!(
            "fragment F{i} on Query {{ organizations {{ programs {{ organization {{ slug }} }} }} ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    fragment_bomb.push_str("fragment F12 on Query { pathways { code } }\n");
    let directives = format!(
        "{{ viewer {{ subject {} }} }}",
        "@include(if: true) ".repeat(12)
    );
    let wide = format!("{{ {} }}", "__typename ".repeat(5_000));
    let participants = "query($f: ParticipantFilterInput, $n: Int) { participants(first: $n, filter: $f) { totalCount edges { node { id } } } }";
    let nobody = json!({ "participants": { "totalCount": 0, "edges": [] } });
    let create =
        "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }";
    let log = "mutation($input: LogHoursInput!) { logHours(input: $input) { id } }";
    let mut cases = vec![
        Case { name: "nesting deeper than max_depth", send: q(&deep), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "nesting past the parser's recursion limit", send: q(&very_deep), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "alias bomb", send: q(&aliases), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "fragment bomb (2^12 expansions)", send: q(&fragment_bomb), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "circular fragments", send: q("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "directive pile", send: q(&directives), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "document over max_document_bytes", send: q(&wide), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "body over max_body_bytes", send: qv("{ viewer { subject } }", json!({ "pad": "x".repeat(2 * 1024 * 1024) })), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "huge search string", send: qv(participants, json!({ "f": { "search": "ab ".repeat(100_000) } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "invalid UTF-8 body", send: Send::Raw("application/json", vec![b'{', b'"', 0xff, 0xfe, b'"', b'}']), expect: Code("BAD_USER_INPUT") },
        Case { name: "not JSON", send: Send::Raw("application/json", b"query { viewer { subject } }".to_vec()), expect: Code("BAD_USER_INPUT") },
        Case { name: "empty body", send: Send::Raw("application/json", Vec::new()), expect: Code("BAD_USER_INPUT") },
        Case { name: "query is not a string", send: Send::Json(json!({ "query": 5 })), expect: Code("BAD_USER_INPUT") },
        Case { name: "variables not an object", send: Send::Json(json!({ "query": "{ viewer { subject } }", "variables": [1, 2] })), expect: Code("BAD_USER_INPUT") },
        Case { name: "wrong content type", send: Send::Raw("text/plain", br#"{"query":"{ viewer { subject } }"}"#.to_vec()), expect: Code("BAD_USER_INPUT") },
        Case { name: "XML content type", send: Send::Raw("application/xml", b"<query/>".to_vec()), expect: Code("BAD_USER_INPUT") },
        Case { name: "batch over max_batch", send: Send::Json(Value::Array((0..50).map(|_| json!({ "query": "{ viewer { subject } }" })).collect())), expect: Code("QUERY_TOO_COMPLEX") },
        Case { name: "empty batch", send: Send::Json(json!([])), expect: Code("BAD_USER_INPUT") },
        Case { name: "mutation over GET", send: Send::Get(vec![("query", "mutation { createMentor(input: { name: \"x\" }) { id } }".into())]), expect: Code("BAD_USER_INPUT") },
        Case { name: "mutation over GET picked by operationName", send: Send::Get(vec![("query", "query A { viewer { subject } } mutation B { createMentor(input: { name: \"x\" }) { id } }".into()), ("operationName", "B".into())]), expect: Code("BAD_USER_INPUT") },
        Case { name: "GET variables not JSON", send: Send::Get(vec![("query", "{ viewer { subject } }".into()), ("variables", "{nope".into())]), expect: Code("BAD_USER_INPUT") },
        Case { name: "unknown operationName", send: Send::Json(json!({ "query": "query A { viewer { subject } }", "operationName": "Z" })), expect: Code("BAD_USER_INPUT") },
        Case { name: "alg none token", send: Send::AuthHeader(format!("Bearer {}", token_with(r#"{"alg":"none","typ":"JWT"}"#, claims.clone(), "")), json!({ "query": "{ viewer { subject } }" })), expect: Code("UNAUTHENTICATED") },
        Case { name: "forged claims, old signature", send: Send::AuthHeader(format!("Bearer {forged}"), json!({ "query": "{ viewer { subject } }" })), expect: Code("UNAUTHENTICATED") },
        Case { name: "garbage token", send: Send::AuthHeader("Bearer a.b.c".into(), json!({ "query": "{ viewer { subject } }" })), expect: Code("UNAUTHENTICATED") },
        Case { name: "Basic auth", send: Send::AuthHeader("Basic dXNlcjpwYXNz".into(), json!({ "query": "{ viewer { subject } }" })), expect: Code("UNAUTHENTICATED") },
        Case { name: "enormous Authorization header", send: Send::AuthHeader(format!("Bearer {}", "A".repeat(6_000)), json!({ "query": "{ viewer { subject } }" })), expect: Code("UNAUTHENTICATED") },
        Case { name: "negative first", send: qv(participants, json!({ "n": -1 })), expect: Code("BAD_USER_INPUT") },
        Case { name: "enormous first", send: qv(participants, json!({ "n": 2_147_483_647 })), expect: Code("BAD_USER_INPUT") },
        Case { name: "first past Int", send: qv(participants, json!({ "n": 1e20 })), expect: Code("BAD_USER_INPUT") },
        Case { name: "unknown enum value", send: qv(participants, json!({ "f": { "status": "SLEEPING" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "unknown field", send: q("{ viewer { password } }"), expect: Code("BAD_USER_INPUT") },
        Case { name: "unknown input field", send: qv(participants, json!({ "f": { "ssn": "123" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "id that is not a UUID", send: q("{ participant(id: \"1 OR 1=1\") { id } }"), expect: Code("BAD_USER_INPUT") },
        Case { name: "garbage cursor", send: q("{ participants(after: \"'; DROP TABLE x;--\") { totalCount } }"), expect: Code("BAD_USER_INPUT") },
        Case { name: "NUL byte in a name", send: qv(create, json!({ "input": { "givenName": "Ana\u{0}", "familyName": "Ruiz", "birthDate": "2004-01-01" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "impossible date", send: qv(create, json!({ "input": { "givenName": "Ana", "familyName": "Ruiz", "birthDate": "2004-02-30" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "birth date in the year 9999", send: qv(create, json!({ "input": { "givenName": "Ana", "familyName": "Ruiz", "birthDate": "9999-12-31" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "10 000-character name", send: qv(create, json!({ "input": { "givenName": "A".repeat(10_000), "familyName": "Ruiz", "birthDate": "2004-01-01" } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "negative hours", send: qv(log, json!({ "input": { "enrollmentId": uuid::Uuid::nil(), "kind": "OJT", "workedOn": "2026-01-05", "hours": -5 } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "enormous hours", send: qv(log, json!({ "input": { "enrollmentId": uuid::Uuid::nil(), "kind": "OJT", "workedOn": "2026-01-05", "hours": 1e308 } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "stale version far in the future", send: qv("mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { id } }", json!({ "input": { "id": uuid::Uuid::nil(), "version": 2_147_483_647, "postalCode": "90001" } })), expect: Code("NOT_FOUND") },
        Case { name: "external id lookup with SQL", send: qv("query($e: String!) { participantByExternalId(orgSlug: \"wlcac\", externalId: $e) { id } }", json!({ "e": sql[0] })), expect: Data(json!({ "participantByExternalId": null })) },
        Case { name: "org slug filter with SQL", send: qv(participants, json!({ "f": { "orgSlug": sql[1] } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "pathway code filter with SQL", send: qv(participants, json!({ "f": { "pathwayCode": sql[2] } })), expect: Code("BAD_USER_INPUT") },
        Case { name: "mentor filters with SQL", send: qv("query($c: String, $u: String) { mentors(craft: $c, unionLocal: $u) { id } }", json!({ "c": sql[3], "u": sql[4] })), expect: Data(json!({ "mentors": [] })) },
        Case { name: "organization slug with SQL", send: qv("query($s: String!) { organization(slug: $s) { id } }", json!({ "s": sql[0] })), expect: Data(json!({ "organization": null })) },
        Case { name: "audit filter with SQL (staff)", send: qv("query($o: String) { auditEvents(filter: { actorOrgSlug: $o }) { totalCount } }", json!({ "o": sql[1] })), expect: Code("FORBIDDEN") },
        Case { name: "emoji and RTL in search", send: qv(participants, json!({ "f": { "search": "🎬 \u{202e}evil\u{202c}" } })), expect: Data(nobody.clone()) },
    ];
    for (i, text) in sql.iter().enumerate() {
        let name: &'static str = Box::leak(format!("search with SQL #{i}").into_boxed_str());
        cases.push(Case {
            name,
            send: qv(participants, json!({ "f": { "search": text } })),
            // The string is searched for as text: no youth is named that.
            expect: Data(nobody.clone()),
        });
    }
    cases
}

hub_test!(hostile_input_gets_its_code_and_changes_nothing, |backend| {
    let app = spawn_app(backend).await;
    let before = database_fingerprint(&app.db).await;
    assert!(
        before.len() >= 20 && before["participant_profile"].0 > 0,
        "every table, with the demo data: {before:?}"
    );
    let staff = app.staff("wlcac");
    let client = reqwest::Client::new();
    let cases = cases(&app);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let sent_json = match &case.send {
            Send::Json(body) | Send::AuthHeader(_, body) => Some(body.clone()),
            _ => None,
        };
        let request = match case.send {
            Send::Json(body) => client.post(&app.url).bearer_auth(&staff).json(&body),
            Send::Raw(content_type, bytes) => client
                .post(&app.url)
                .bearer_auth(&staff)
                .header("content-type", content_type)
                .body(bytes),
            Send::Get(params) => client
                .get(&app.url)
                .bearer_auth(&staff)
                .header("apollo-require-preflight", "true")
                .query(&params),
            Send::AuthHeader(header, body) => client
                .post(&app.url)
                .header("authorization", header)
                .json(&body),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(body) = &sent_json {
            assert_conforms(body, &answer);
        }
        let first = answer["errors"][0]["extensions"]["code"].as_str();
        let ok = status < 500
            && match &case.expect {
                Data(data) => answer.get("errors").is_none() && answer.get("data") == Some(data),
                Code(code) => first == Some(*code),
            };
        let leaked = ["SELECT", "sqlx", "panicked", "src/", "DbErr"]
            .iter()
            .any(|needle| text.contains(needle));
        if !ok || leaked {
            failures.push(format!(
                "{}: status {status}, expected {}, got {}",
                case.name,
                match &case.expect {
                    Code(code) => code.to_string(),
                    Data(data) => data.to_string(),
                },
                &text[..text.len().min(300)]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        database_fingerprint(&app.db).await,
        before,
        "the database is unchanged"
    );
    // The server still answers.
    let answer = app
        .query(Some(&staff), "{ viewer { subject } }", json!({}))
        .await;
    assert_ok(&answer);
});
