//! The answer a well-behaved service gives: auth, quota, routing, then each operation's own.
//!
//! Checks run in this order, each answering on its own: 401 (auth), 429 (quota), 404 / 405
//! (route), 413 (body cap), then the operation's own 400 / 404 / 409.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use openai_invites_core::ops::{DEFAULT_LIMIT, MAX_LIMIT};
use openai_invites_core::{
    DeleteInvite, InviteDeleteResponse, InviteListResponse, InviteUser, ListInvites, Operation,
    OperationMeta, RetrieveInvite,
};

use crate::auth;
use crate::envelope::{Failure, INVALID_REQUEST, json_response};
use crate::fake::{Inner, lock};
use crate::received::Received;
use crate::routes::{Route, query_param};
use crate::store::{CreateRefusal, DeleteRefusal};
use crate::validate;

type Answer = Result<http::Response<Bytes>, Failure>;

/// The answer a well-behaved service gives; changes the store as the request asks.
pub(crate) fn answer(inner: &Inner, request: &Received, route: &Route) -> http::Response<Bytes> {
    if let Err(failure) = auth::check(&request.headers, &inner.admin_key) {
        return failure.into_response();
    }
    let quota_headers = match lock(&inner.quota).as_mut() {
        None => HeaderMap::new(),
        Some(quota) => match quota.take(tokio::time::Instant::now()) {
            Ok(headers) => headers,
            Err(failure) => return failure.into_response(),
        },
    };
    let mut response = inner
        .route(request, route)
        .unwrap_or_else(Failure::into_response);
    for (name, value) in &quota_headers {
        response.headers_mut().insert(name, value.clone());
    }
    response
}

/// Whether `meta` is operation `O`.
fn is<O: Operation>(meta: &OperationMeta) -> bool {
    meta.name == O::META.name
}

impl Inner {
    fn route(&self, request: &Received, route: &Route) -> Answer {
        let (meta, values) = match route {
            Route::Unknown => {
                return Err(Failure::new(
                    StatusCode::NOT_FOUND,
                    INVALID_REQUEST,
                    format!("Invalid URL ({} {})", request.method, request.uri.path()),
                ));
            }
            Route::WrongMethod(allowed) => {
                let failure = Failure::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    INVALID_REQUEST,
                    format!(
                        "Method {} is not allowed on {}; allowed: {allowed}.",
                        request.method,
                        request.uri.path()
                    ),
                );
                // Method names are always valid header text.
                return Err(match HeaderValue::from_str(allowed) {
                    Ok(value) => failure.header(header::ALLOW, value),
                    Err(_) => failure,
                });
            }
            Route::Operation { meta, values } => (meta, values),
        };
        let Some(body) = &request.body else {
            return Err(Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                INVALID_REQUEST,
                format!(
                    "The request body is larger than {} bytes.",
                    self.max_body_bytes
                ),
            )
            .code("request_too_large"));
        };
        let id = values.first().map_or("", String::as_str);
        if is::<ListInvites>(meta) {
            self.list(request.uri.query())
        } else if is::<InviteUser>(meta) {
            self.create(&request.headers, body)
        } else if is::<RetrieveInvite>(meta) {
            self.retrieve(id)
        } else if is::<DeleteInvite>(meta) {
            self.delete(id)
        } else {
            Err(Failure::new(
                StatusCode::NOT_IMPLEMENTED,
                INVALID_REQUEST,
                format!("The fake does not implement {} yet.", meta.name),
            ))
        }
    }

    fn list(&self, query: Option<&str>) -> Answer {
        let limit = match query_param(query, "limit") {
            None => usize::from(DEFAULT_LIMIT),
            Some(text) => text
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .map(usize::from)
                .ok_or_else(|| {
                    Failure::invalid(
                        "limit",
                        format!("Invalid 'limit': {text:?}. Expected an integer between 1 and {MAX_LIMIT}."),
                    )
                })?,
        };
        let after = query_param(query, "after").filter(|a| !a.is_empty());
        let now = self.now();
        let page = lock(&self.store)
            .list(after.as_deref(), limit, now)
            .map_err(|_| {
                Failure::invalid(
                    "after",
                    format!(
                        "Invalid 'after': no invite with id '{}'.",
                        after.as_deref().unwrap_or("")
                    ),
                )
            })?;
        let body = InviteListResponse {
            first_id: page.data.first().map(|i| i.id.clone()),
            last_id: page.data.last().map(|i| i.id.clone()),
            has_more: page.has_more,
            data: page.data,
        };
        Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
    }

    fn create(&self, headers: &HeaderMap, body: &Bytes) -> Answer {
        let request = validate::invite_request(headers, body)?;
        let now = self.now();
        let email = request.email.clone();
        let invite = lock(&self.store)
            .create(request, now)
            .map_err(|refusal| match refusal {
                CreateRefusal::Duplicate(existing) => Failure::new(
                    StatusCode::CONFLICT,
                    INVALID_REQUEST,
                    format!("A pending invite for '{email}' already exists ({existing})."),
                )
                .param("email")
                .code(openai_invites_core::INVITE_ALREADY_EXISTS),
                CreateRefusal::Full(max) => Failure::new(
                    StatusCode::BAD_REQUEST,
                    INVALID_REQUEST,
                    format!("The organization has reached its limit of {max} invites."),
                )
                .code("invite_limit_reached"),
            })?;
        Ok(json_response(StatusCode::OK, &invite, HeaderMap::new()))
    }

    fn retrieve(&self, id: &str) -> Answer {
        let now = self.now();
        let invite = lock(&self.store)
            .get(id, now)
            .ok_or_else(|| not_found(id))?;
        Ok(json_response(StatusCode::OK, &invite, HeaderMap::new()))
    }

    fn delete(&self, id: &str) -> Answer {
        let now = self.now();
        lock(&self.store)
            .delete(id, now)
            .map_err(|refusal| match refusal {
                DeleteRefusal::NotFound => not_found(id),
                DeleteRefusal::Accepted => Failure::invalid(
                    "invite_id",
                    format!("Invite '{id}' has already been accepted and cannot be deleted."),
                )
                .code("invite_already_accepted"),
            })?;
        let body = InviteDeleteResponse {
            id: id.to_owned(),
            deleted: true,
        };
        Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
    }
}

fn not_found(id: impl AsRef<str>) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        INVALID_REQUEST,
        format!("No invite found with id '{}'.", id.as_ref()),
    )
    .param("invite_id")
}
