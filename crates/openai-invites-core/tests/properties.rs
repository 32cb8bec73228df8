//! Property tests: round-trips, path safety, and decoders that never panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use openai_invites_core::*;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

fn open<T: From<String> + std::fmt::Debug>(
    known: &'static [&'static str],
) -> impl Strategy<Value = T> {
    prop_oneof![
        proptest::sample::select(known).prop_map(|s| T::from(s.to_owned())),
        "[a-z_]{1,12}".prop_map(T::from),
    ]
}

fn project() -> impl Strategy<Value = InviteProject> {
    (".{0,20}", open::<ProjectRole>(&["member", "owner"]))
        .prop_map(|(id, role)| InviteProject { id, role })
}

fn invite() -> impl Strategy<Value = Invite> {
    (
        ".{0,30}",
        ".{0,30}",
        open::<InviteRole>(&["owner", "reader"]),
        open::<InviteStatus>(&["accepted", "expired", "pending"]),
        any::<i64>(),
        proptest::option::of(any::<i64>()),
        proptest::option::of(any::<i64>()),
        proptest::collection::vec(project(), 0..4),
    )
        .prop_map(
            |(id, email, role, status, created_at, expires_at, accepted_at, projects)| Invite {
                id,
                email,
                role,
                status,
                created_at,
                expires_at,
                accepted_at,
                projects,
            },
        )
}

proptest! {
    #[test]
    fn invites_round_trip(invite in invite()) {
        let json = serde_json::to_vec(&invite).unwrap();
        prop_assert_eq!(serde_json::from_slice::<Invite>(&json).unwrap(), invite);
    }

    #[test]
    fn lists_round_trip(data in proptest::collection::vec(invite(), 0..4), more in any::<bool>(),
                        first in proptest::option::of(".{0,10}"), last in proptest::option::of(".{0,10}")) {
        let page = InviteListResponse { data, first_id: first, last_id: last, has_more: more };
        let json = serde_json::to_vec(&page).unwrap();
        prop_assert_eq!(serde_json::from_slice::<InviteListResponse>(&json).unwrap(), page);
    }

    #[test]
    fn requests_round_trip(email in ".{1,30}", role in open::<InviteRole>(&["owner", "reader"]),
                           projects in proptest::option::of(proptest::collection::vec(project(), 0..4))) {
        let request = InviteRequest { email, role, projects };
        let json = serde_json::to_vec(&request).unwrap();
        prop_assert_eq!(serde_json::from_slice::<InviteRequest>(&json).unwrap(), request);
    }

    #[test]
    fn deletes_round_trip(id in ".{0,30}", deleted in any::<bool>()) {
        let response = InviteDeleteResponse { id, deleted };
        let json = serde_json::to_vec(&response).unwrap();
        prop_assert_eq!(serde_json::from_slice::<InviteDeleteResponse>(&json).unwrap(), response);
    }

    #[test]
    fn any_invite_id_is_exactly_one_segment(id in "\\PC{1,40}|[./?#% ]{1,10}") {
        let base = BaseUrl::parse("https://api.openai.com/v1").unwrap();
        for request in [RetrieveInvite::new(id.clone()).encode(&base).unwrap(), DeleteInvite::new(id.clone()).encode(&base).unwrap()] {
            prop_assert_eq!(request.uri().query(), None);
            let path = request.uri().path();
            let segment = path.strip_prefix("/v1/organization/invites/").unwrap();
            prop_assert!(!segment.contains('/'));
            prop_assert!(segment != "." && segment != "..");
            prop_assert_eq!(percent_decode_str(segment).decode_utf8().unwrap(), id.as_str());
        }
    }

    #[test]
    fn after_cursor_round_trips_through_the_query(after in "\\PC{1,40}") {
        let base = BaseUrl::default();
        let request = ListInvites::new().after(after.clone()).encode(&base).unwrap();
        let query = request.uri().query().unwrap();
        let value = query.strip_prefix("after=").unwrap();
        prop_assert!(!value.contains(['&', '=', '#']));
        prop_assert_eq!(percent_decode_str(value).decode_utf8().unwrap(), after.as_str());
    }

    #[test]
    fn decoders_never_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let response = || http::Response::builder().status(status).body(Bytes::from(body.clone())).unwrap();
        let _ = ListInvites::decode(response());
        let _ = InviteUser::decode(response());
        let _ = RetrieveInvite::decode(response());
        let _ = DeleteInvite::decode(response());
        let api = ApiError::from_response(&response());
        if let Some(text) = api.body {
            prop_assert!(text.len() <= MAX_BODY_SNIPPET + 3);
        }
    }

    #[test]
    fn header_parsers_never_panic(value in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(value) = http::HeaderValue::from_bytes(&value) {
            let mut h = http::HeaderMap::new();
            for name in [headers::RETRY_AFTER_MS, headers::RETRY_AFTER, headers::SHOULD_RETRY,
                         headers::RATELIMIT_LIMIT_REQUESTS, headers::RATELIMIT_REMAINING_REQUESTS,
                         headers::RATELIMIT_RESET_REQUESTS, headers::REQUEST_ID] {
                h.insert(name, value.clone());
            }
            let _ = headers::retry_after(&h, std::time::SystemTime::now());
            h.remove(headers::RETRY_AFTER_MS);
            let _ = headers::retry_after(&h, std::time::SystemTime::UNIX_EPOCH);
            let _ = headers::should_retry(&h);
            let _ = headers::RateLimitHeaders::from_headers(&h);
            let _ = headers::request_id(&h);
        }
    }

    #[test]
    fn go_duration_parser_never_panics(text in "[0-9.a-zµ]{0,16}") {
        let _ = headers::parse_go_duration(&text);
    }
}
