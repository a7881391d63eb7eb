//! A `POST /graphql` body, as the server reads it: JSON into a GraphQL
//! request or batch (async-graphql's own reader, as the axum extractor
//! uses), the query parsed as a `GET` would be checked for mutations, then
//! the hub's schema parses, validates and applies the query limits
//! (depth, complexity, aliases, repeats, size, persisted queries), stopping
//! before any resolver runs. Nothing may panic; the answer serializes.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pathways_hub::graphql::{HubSchema, build_checking_schema};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime")
    })
}

fn schema() -> &'static HubSchema {
    static SCHEMA: OnceLock<HubSchema> = OnceLock::new();
    SCHEMA.get_or_init(build_checking_schema)
}

fuzz_target!(|body: &[u8]| {
    let read = runtime().block_on(async_graphql::http::receive_batch_json(body));
    let Ok(batch) = read else {
        return;
    };
    for request in batch.iter() {
        let _ = async_graphql::parser::parse_query(&request.query);
    }
    let response = runtime().block_on(schema().execute_batch(batch));
    let answers: Vec<&async_graphql::Response> = match &response {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(rs) => rs.iter().collect(),
    };
    for answer in answers {
        // Stopped before execution: nothing was resolved.
        assert!(
            matches!(&answer.data, async_graphql::Value::Null)
                || matches!(&answer.data, async_graphql::Value::Object(o) if o.is_empty()),
            "data without execution: {:?}",
            answer.data
        );
        for error in &answer.errors {
            assert!(!error.message.is_empty(), "an error without a message");
        }
    }
    serde_json::to_vec(&response).expect("the answer serializes");
});
