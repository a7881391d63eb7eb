//! The schema checker every test answer goes through
//! (`tests/common/conformance.rs`) reports what it promises to: fed
//! known-bad answers — a null in a non-null position, an unknown enum
//! value, a wrong scalar, a missing or unexpected key, a malformed error,
//! an answer without data that does not say why — it names each, and it
//! stays quiet on a conforming answer.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::conformance::{Schema, check, envelope};
use serde_json::{Value, json};

const SDL: &str = "
type Query { person(id: ID!): Person people: [Person!]! count: Int! }
type Person { id: ID! name: String! age: Int status: Status! tags: [String!] }
enum Status { ACTIVE INACTIVE }
";

const PERSON: &str = "{ person(id: 1) { id name age status tags } count }";

fn violations(query: &str, answer: Value) -> Vec<String> {
    let schema = Schema::parse(SDL).unwrap();
    check(&schema, query, None, &json!({}), &answer)
}

/// A conforming answer to [`PERSON`] with `change` applied to the person.
fn person(change: impl FnOnce(&mut Value)) -> Value {
    let mut answer = json!({ "data": {
        "person": { "id": "1", "name": "Ana", "age": 17, "status": "ACTIVE", "tags": ["a"] },
        "count": 1
    } });
    change(&mut answer["data"]["person"]);
    answer
}

/// A well-formed error with `code`.
fn error(code: &str) -> Value {
    json!({ "message": "no", "path": ["person", 0], "extensions": { "code": code } })
}

#[test]
fn a_conforming_answer_has_no_violation() {
    assert_eq!(violations(PERSON, person(|_| {})), Vec::<String>::new());
    // Nullable fields may be null; a field error beside partial data.
    let mut answer = person(|p| {
        p["age"] = Value::Null;
        p["tags"] = Value::Null;
    });
    answer["errors"] = json!([error("FORBIDDEN")]);
    assert_eq!(violations(PERSON, answer), Vec::<String>::new());
    // No data, with the error saying why.
    for data in [json!({ "data": null }), json!({})] {
        let mut answer = data;
        answer["errors"] = json!([error("UNAUTHENTICATED")]);
        assert_eq!(violations(PERSON, answer), Vec::<String>::new());
    }
}

#[test]
fn a_null_in_a_non_null_position_is_reported() {
    let answer = person(|p| p["name"] = Value::Null);
    assert_eq!(
        violations(PERSON, answer),
        ["data.person.name: null in a non-null position (String!)"]
    );
    let answer = json!({ "data": { "people": [{ "id": "1" }, null] } });
    assert_eq!(
        violations("{ people { id } }", answer),
        ["data.people[1]: null in a non-null position (Person!)"]
    );
    let answer = person(|p| p["tags"] = json!(["a", null]));
    assert_eq!(
        violations(PERSON, answer),
        ["data.person.tags[1]: null in a non-null position (String!)"]
    );
}

#[test]
fn an_unknown_enum_value_is_reported() {
    let answer = person(|p| p["status"] = json!("PAUSED"));
    assert_eq!(
        violations(PERSON, answer),
        ["data.person.status: \"PAUSED\" is not a value of enum Status"]
    );
    let answer = person(|p| p["status"] = json!("active"));
    assert_eq!(
        violations(PERSON, answer),
        ["data.person.status: \"active\" is not a value of enum Status"]
    );
}

#[test]
fn a_wrong_scalar_type_is_reported() {
    for (field, value, expected) in [
        (
            "age",
            json!("17"),
            "data.person.age: expected Int (Int), got \"17\"",
        ),
        (
            "age",
            json!(17.5),
            "data.person.age: expected Int (Int), got 17.5",
        ),
        (
            "age",
            json!(1_u64 << 40),
            "data.person.age: expected Int (Int), got 1099511627776",
        ),
        (
            "name",
            json!(5),
            "data.person.name: expected String (String!), got 5",
        ),
        ("id", json!(1), "data.person.id: expected ID (ID!), got 1"),
        (
            "tags",
            json!("a"),
            "data.person.tags: expected a list ([String!]), got \"a\"",
        ),
    ] {
        let answer = person(|p| p[field] = value);
        assert_eq!(violations(PERSON, answer), [expected], "{field}");
    }
    let answer = json!({ "data": { "person": null, "count": true } });
    assert_eq!(
        violations(PERSON, answer),
        ["data.count: expected Int (Int!), got true"]
    );
}

#[test]
fn a_missing_or_unexpected_key_is_reported() {
    let answer = person(|p| {
        p.as_object_mut().unwrap().remove("name");
    });
    assert_eq!(
        violations(PERSON, answer),
        ["data.person.name: missing (selected, not in the answer)"]
    );
    let mut answer = person(|p| p["email"] = json!("ana@example.com"));
    answer["data"].as_object_mut().unwrap().remove("count");
    assert_eq!(
        violations(PERSON, answer),
        [
            "data.person.email: unexpected key (not selected)",
            "data.count: missing (selected, not in the answer)",
        ]
    );
}

#[test]
fn a_malformed_error_is_reported() {
    let answer = |errors: Value| json!({ "data": null, "errors": errors });
    let cases = [
        (
            json!([{ "extensions": { "code": "FORBIDDEN" } }]),
            vec!["errors[0].message: expected a string, got null"],
        ),
        (
            json!([{ "message": "no" }]),
            vec!["errors[0].extensions.code: expected a code, got null"],
        ),
        (
            json!([{ "message": "no", "extensions": { "code": "FORBIDEN" } }]),
            vec!["errors[0].extensions.code: \"FORBIDEN\" is not a known code"],
        ),
        (
            json!([error("NOT_FOUND"), { "message": "no", "extensions": { "code": 403 } }]),
            vec!["errors[1].extensions.code: expected a code, got 403"],
        ),
        (
            json!([{ "message": "no", "path": "person", "extensions": { "code": "INTERNAL" } }]),
            vec!["errors[0].path: expected a list of keys and indices, got \"person\""],
        ),
        (json!(["no"]), vec!["errors[0]: not an object: \"no\""]),
        (
            json!([]),
            vec![
                "errors: expected a non-empty list, got []",
                "data: null, and no error says why",
            ],
        ),
        (
            json!({ "message": "no" }),
            vec![
                "errors: expected a non-empty list, got {\"message\":\"no\"}",
                "data: null, and no error says why",
            ],
        ),
    ];
    for (errors, expected) in cases {
        assert_eq!(
            violations(PERSON, answer(errors.clone())),
            expected,
            "{errors}"
        );
    }
    // Errors beside data are checked too, and so are the errors of a
    // query that does not parse.
    let mut beside = person(|_| {});
    beside["errors"] = json!([{ "message": "no" }]);
    assert_eq!(
        violations(PERSON, beside),
        ["errors[0].extensions.code: expected a code, got null"]
    );
    assert_eq!(
        violations("{ person(", json!({ "errors": [{ "message": "syntax" }] })),
        ["errors[0].extensions.code: expected a code, got null"]
    );
}

#[test]
fn an_answer_without_data_must_say_why() {
    assert_eq!(
        violations(PERSON, json!({ "data": null })),
        ["data: null, and no error says why"]
    );
    assert_eq!(
        violations(PERSON, json!({})),
        ["data: absent, and no error says why"]
    );
    assert_eq!(
        violations(PERSON, json!({ "data": null, "error": "no" })),
        [
            "error: unexpected top-level key",
            "data: null, and no error says why"
        ]
    );
    assert_eq!(
        violations(PERSON, json!("no")),
        ["the answer is not an object: \"no\""]
    );
}

#[test]
fn every_code_the_hub_sends_is_allowed() {
    for code in pathways_hub::ground::error::codes::ALL {
        assert!(envelope::CODES.contains(code), "{code}");
    }
}

/// The hook every test client's answer goes through fails the test.
#[test]
#[should_panic(expected = "data.viewer.subject: null in a non-null position (String!)")]
fn the_test_clients_hook_fails_a_bad_answer() {
    common::assert_conforms(
        &json!({ "query": "{ viewer { subject } }" }),
        &json!({ "data": { "viewer": { "subject": null } } }),
    );
}

#[test]
#[should_panic(expected = "data: null, and no error says why")]
fn the_test_clients_hook_fails_data_null_without_errors() {
    common::assert_conforms(
        &json!({ "query": "{ viewer { subject } }" }),
        &json!({ "data": null }),
    );
}
