//! The copied OpenAPI spec, and helpers to check values against it.
#![allow(dead_code)]

use serde_json::Value;

/// The invites subset of the OpenAI OpenAPI description (MIT, see LICENSE-openai-openapi).
pub const SPEC: &str = include_str!("../fixtures/openapi-invites.json");

pub fn spec() -> Value {
    serde_json::from_str(SPEC).unwrap()
}

/// A validator for `#/components/schemas/{name}`, with the spec's components in scope.
pub fn validator(name: &str) -> jsonschema::Validator {
    let schema = serde_json::json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": spec()["components"],
    });
    jsonschema::validator_for(&schema).unwrap()
}

/// Every example response in the spec, as (operationId, JSON text).
pub fn example_responses() -> Vec<(String, String)> {
    let spec = spec();
    let mut out = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            let example = op["x-oaiMeta"]["examples"]["response"]
                .as_str()
                .unwrap()
                .to_owned();
            out.push((id, example));
        }
    }
    out
}
