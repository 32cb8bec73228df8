//! `Body`: a body as the slots carry it, all in memory.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// The body your layers see in the client's slots: bytes in memory, as one frame. It is an
/// [`http_body::Body`] for tower-http layers, and gives its bytes back without polling:
///
/// ```
/// use openai_invites::slot::Body;
///
/// let body = Body::new(r#"{"email":"ana@example.com"}"#);
/// assert_eq!(body.as_bytes(), br#"{"email":"ana@example.com"}"#);
/// assert_eq!(body.into_bytes().len(), 27);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Empty once the frame was polled out.
    bytes: Bytes,
}

impl Body {
    /// A body holding `bytes`.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self {
            bytes: bytes.into(),
        }
    }

    /// The bytes not yet read as a frame (all of them, unless a layer polled the body).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes not yet read as a frame.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self { bytes }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let bytes = std::mem::take(&mut self.get_mut().bytes);
        Poll::Ready((!bytes.is_empty()).then(|| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.bytes.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn one_frame_then_the_end() {
        let mut body = Body::new("abc");
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(3));
        let frame = body.frame().await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), "abc");
        assert!(http_body::Body::is_end_stream(&body));
        assert!(body.frame().await.is_none());
        assert!(body.as_bytes().is_empty());
    }

    #[tokio::test]
    async fn an_empty_body_has_no_frame() {
        let mut body = Body::default();
        assert!(http_body::Body::is_end_stream(&body));
        assert!(body.frame().await.is_none());
    }
}
