//! URL templates such as `/organization/invites/{invite_id}`: filled in to build a request's
//! path, matched to read one back.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::EncodeError;

/// Everything but RFC 3986 unreserved characters is escaped, and `.` too, so that an id such as
/// `..` can never become a dot-segment that walks up the path.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Percent-encodes `value` as one path segment or one query value.
///
/// ```
/// use openai_invites_core::ops::encode_component;
///
/// assert_eq!(encode_component("a/b ..").to_string(), "a%2Fb%20%2E%2E");
/// ```
pub fn encode_component(value: &str) -> percent_encoding::PercentEncode<'_> {
    utf8_percent_encode(value, COMPONENT)
}

/// Appends `template` to `out` with each `{name}` replaced by the next of `values`, encoded as
/// exactly one segment. An empty value is refused under its placeholder's name.
pub(crate) fn fill(
    template: &'static str,
    values: &[&str],
    out: &mut String,
) -> Result<(), EncodeError> {
    let mut values = values.iter();
    for (n, segment) in template.split('/').enumerate() {
        if n > 0 {
            out.push('/');
        }
        let Some(name) = placeholder(segment) else {
            out.push_str(segment);
            continue;
        };
        match values.next() {
            Some(value) if !value.is_empty() => out.extend(encode_component(value)),
            Some(_) => return Err(EncodeError::invalid(name, "must not be empty")),
            None => return Err(EncodeError::invalid(name, "no value given")),
        }
    }
    match values.next() {
        None => Ok(()),
        Some(_) => Err(EncodeError::invalid(
            template,
            "more values than placeholders",
        )),
    }
}

/// The percent-decoded values of `template`'s placeholders, when `path` fits it. A segment
/// that does not decode to UTF-8 is kept as sent.
pub(crate) fn capture(template: &str, path: &str) -> Option<Vec<String>> {
    let (mut shape, mut sent) = (template.split('/'), path.split('/'));
    let mut values = Vec::new();
    loop {
        match (shape.next(), sent.next()) {
            (None, None) => return Some(values),
            (Some(expected), Some(segment)) => match placeholder(expected) {
                Some(_) if segment.is_empty() => return None,
                Some(_) => values.push(match percent_decode_str(segment).decode_utf8() {
                    Ok(value) => value.into_owned(),
                    Err(_) => segment.to_owned(),
                }),
                None if expected == segment => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

/// `invite_id` for the segment `{invite_id}`.
fn placeholder(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = "/organization/invites/{invite_id}";

    fn filled(values: &[&str]) -> Result<String, EncodeError> {
        let mut out = String::new();
        fill(ITEM, values, &mut out).map(|()| out)
    }

    #[test]
    fn dangerous_ids_stay_one_segment() {
        for (id, tail) in [
            ("a/b", "a%2Fb"),
            ("..", "%2E%2E"),
            ("?x", "%3Fx"),
            ("#", "%23"),
            ("a b", "a%20b"),
            ("é", "%C3%A9"),
            ("invite-abc_~", "invite-abc_~"),
        ] {
            let path = filled(&[id]).unwrap();
            assert_eq!(path, format!("/organization/invites/{tail}"));
            // ...and reads back as the same id.
            assert_eq!(capture(ITEM, &path), Some(vec![id.to_owned()]));
        }
    }

    #[test]
    fn values_must_fit_the_placeholders() {
        for (values, field) in [(&[""][..], "invite_id"), (&[], "invite_id")] {
            match filled(values) {
                Err(EncodeError::InvalidField { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{values:?}: {other:?}"),
            }
        }
        assert!(filled(&["a", "b"]).is_err());
        let mut out = String::new();
        fill("/organization/invites", &[], &mut out).unwrap();
        assert_eq!(out, "/organization/invites");
    }

    #[test]
    fn paths_that_do_not_fit() {
        for path in [
            "/organization/invites",
            "/organization/invites/",
            "/organization/invites/a/b",
            "/organization/invitesx/a",
            "/",
            "",
        ] {
            assert_eq!(capture(ITEM, path), None, "{path}");
        }
        assert_eq!(
            capture("/organization/invites", "/organization/invites"),
            Some(vec![])
        );
        assert_eq!(
            capture(ITEM, "/organization/invites/%FF"),
            Some(vec!["%FF".to_owned()])
        );
    }
}
