//! What a hyper-util error means for the call: read from its chain of causes, once, on the
//! error path.

use std::error::Error as StdError;

use hyper_util::client::legacy::Error as ClientError;
use rustls::CertificateError;

use super::error::Phase;

/// The phase a failed request reached.
pub(super) fn phase(error: &ClientError) -> Phase {
    let mut found = None;
    for cause in chain(error) {
        if let Some(why) = rejected_certificate(cause) {
            return Phase::Certificate(why);
        }
        // hyper-util's tunnel and connector errors are private types: their messages are
        // what can be read (the integration test proxy.rs pins them against the real tunnel).
        let text = cause.to_string();
        match tunnel_phase(&text) {
            Some(phase) => return phase,
            None if found.is_none() && text == "dns error" => found = Some(Phase::Resolve),
            None => {}
        }
        if cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            // The pooled connection closed before the request was written, and hyper-util's
            // own retry of it failed too: nothing was sent.
            found = found.or(Some(Phase::Connect));
        }
    }
    match found {
        Some(phase) => phase,
        None if error.is_connect() => Phase::Connect,
        None => Phase::AfterSend,
    }
}

/// What hyper-util's CONNECT tunnel error says, by its message.
fn tunnel_phase(text: &str) -> Option<Phase> {
    let what = text.strip_prefix("tunnel error: ")?;
    match what {
        "proxy authorization required" => Some(Phase::ProxyAuth),
        "unsuccessful" | "unexpected end of file" | "proxy response headers too long" => {
            Some(Phase::ProxyRefused)
        }
        // Reaching the proxy failed: the causes say why.
        _ => None,
    }
}

/// The causes of `error`, outermost first. An `io::Error` hides the error it wraps from
/// `source()` (it returns that error's source), so it is unwrapped here.
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(error);
    std::iter::from_fn(move || {
        let current = next?;
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn StdError + 'static)),
                None => current.source(),
            },
            None => current.source(),
        };
        Some(current)
    })
}

/// Why rustls rejected the server's certificate, if that is what `cause` says.
fn rejected_certificate(cause: &(dyn StdError + 'static)) -> Option<&'static str> {
    let rustls::Error::InvalidCertificate(certificate) = cause.downcast_ref::<rustls::Error>()?
    else {
        return None;
    };
    Some(match certificate {
        CertificateError::UnknownIssuer => {
            "it is not signed by a trusted root (unknown issuer); trust your CA with \
             `add_root_certificates_pem` or SSL_CERT_FILE"
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it is not valid for this host name"
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "it has expired",
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet"
        }
        CertificateError::Revoked => "it was revoked",
        CertificateError::BadSignature => "its signature is invalid",
        CertificateError::BadEncoding => "it is malformed",
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "it is not meant for a TLS server"
        }
        _ => "it is invalid",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_error_is_found_inside_an_io_error() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        let outer = crate::transport::TransportError::connect(io);
        let found = chain(&outer).find_map(rejected_certificate);
        assert!(
            found.is_some_and(|why| why.contains("unknown issuer")),
            "{found:?}"
        );
        let plain = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(chain(&plain).find_map(rejected_certificate), None);
        assert_eq!(chain(&plain).count(), 1);
    }

    #[test]
    fn tunnel_messages_map_to_phases() {
        let auth = tunnel_phase("tunnel error: proxy authorization required");
        assert_eq!(auth, Some(Phase::ProxyAuth));
        let refused = tunnel_phase("tunnel error: unsuccessful");
        assert_eq!(refused, Some(Phase::ProxyRefused));
        let connect = tunnel_phase("tunnel error: failed to create underlying connection");
        assert_eq!(connect, None);
        assert_eq!(tunnel_phase("unsuccessful"), None);
    }
}
