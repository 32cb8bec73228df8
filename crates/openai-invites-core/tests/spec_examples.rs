//! Every example payload of the spec decodes into the right type, and drifted payloads too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use openai_invites_core::*;

fn ok(body: &str) -> http::Response<Bytes> {
    http::Response::new(Bytes::from(body.to_owned()))
}

#[test]
fn every_example_response_decodes() {
    let examples = common::example_responses();
    assert_eq!(examples.len(), 4);
    for (operation, body) in examples {
        match operation.as_str() {
            "list-invites" => {
                let page = ListInvites::decode(ok(&body)).unwrap();
                assert_eq!(page.data.len(), 1);
                assert_eq!(page.data[0].status, InviteStatus::Accepted);
                assert_eq!(page.first_id.as_deref(), Some("invite-abc"));
                assert!(!page.has_more);
            }
            "inviteUser" => {
                let invite = InviteUser::decode(ok(&body)).unwrap();
                assert_eq!(invite.role, InviteRole::Reader);
                assert_eq!(invite.accepted_at, None);
                assert_eq!(
                    invite.projects,
                    vec![
                        InviteProject::new("project-xyz", ProjectRole::Member),
                        InviteProject::new("project-abc", ProjectRole::Owner)
                    ]
                );
            }
            "retrieve-invite" => {
                let invite = RetrieveInvite::decode(ok(&body)).unwrap();
                assert_eq!(invite.id, "invite-abc");
                assert!(invite.projects.is_empty(), "absent projects means none");
            }
            "delete-invite" => {
                let deleted = DeleteInvite::decode(ok(&body)).unwrap();
                assert_eq!(
                    deleted,
                    InviteDeleteResponse {
                        id: "invite-abc".into(),
                        deleted: true
                    }
                );
            }
            other => panic!("unexpected operation {other}"),
        }
    }
}

#[test]
fn the_invite_object_example_decodes() {
    let spec = common::spec();
    let example = spec["components"]["schemas"]["Invite"]["x-oaiMeta"]["example"]
        .as_str()
        .unwrap();
    let invite: Invite = serde_json::from_str(example).unwrap();
    assert_eq!(invite.projects.len(), 1);
    assert_eq!(invite.created_at, 1711471533);
}

#[test]
fn drifted_payloads_decode() {
    let legacy = r#"{"object":"organization.invite","id":"invite-1","email":"a@example.com",
        "role":"reader","status":"pending","invited_at":1700000000}"#;
    assert_eq!(
        RetrieveInvite::decode(ok(legacy)).unwrap().created_at,
        1700000000
    );

    let nulls = r#"{"id":"invite-2","email":"b@example.com","role":"owner","status":"pending",
        "created_at":1,"expires_at":null,"accepted_at":null,"projects":null}"#;
    let invite = RetrieveInvite::decode(ok(nulls)).unwrap();
    assert_eq!((invite.expires_at, invite.accepted_at), (None, None));
    assert!(invite.projects.is_empty());

    let unknown = r#"{"object":"organization.invite","id":"invite-3","email":"c@example.com",
        "role":"billing","status":"revoked","created_at":1,"projects":[{"id":"p","role":"viewer"}],
        "brand_new_field":{"nested":[1,2,3]}}"#;
    let invite = RetrieveInvite::decode(ok(unknown)).unwrap();
    assert_eq!(invite.role, InviteRole::Unknown("billing".into()));
    assert_eq!(invite.status, InviteStatus::Unknown("revoked".into()));
    assert_eq!(
        invite.projects[0].role,
        ProjectRole::Unknown("viewer".into())
    );
    // Unknown values encode back unchanged.
    let json = serde_json::to_value(&invite).unwrap();
    assert_eq!(json["role"], "billing");
    assert_eq!(json["status"], "revoked");
    assert_eq!(json["projects"][0]["role"], "viewer");
}

#[test]
fn serialized_models_validate_against_the_spec() {
    let invite = Invite {
        id: "invite-1".into(),
        email: "a@example.com".into(),
        role: InviteRole::Owner,
        status: InviteStatus::Pending,
        created_at: 1,
        expires_at: Some(2),
        accepted_at: None,
        projects: vec![InviteProject::new("project-1", ProjectRole::Member)],
    };
    let page = InviteListResponse {
        data: vec![invite.clone()],
        first_id: Some("invite-1".into()),
        last_id: Some("invite-1".into()),
        has_more: false,
    };
    let deleted = InviteDeleteResponse {
        id: "invite-1".into(),
        deleted: true,
    };
    let empty = InviteListResponse::default();
    for (schema, value) in [
        ("Invite", serde_json::to_value(&invite).unwrap()),
        ("InviteListResponse", serde_json::to_value(&page).unwrap()),
        ("InviteListResponse", serde_json::to_value(&empty).unwrap()),
        (
            "InviteDeleteResponse",
            serde_json::to_value(&deleted).unwrap(),
        ),
    ] {
        let validator = common::validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{schema}: {errors:?}");
    }
    // The validator is not vacuous: a wrong role fails.
    let mut bad = serde_json::to_value(&invite).unwrap();
    bad["role"] = "admin".into();
    assert!(!common::validator("Invite").is_valid(&bad));
}
