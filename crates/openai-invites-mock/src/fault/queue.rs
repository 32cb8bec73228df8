//! The queue of scripted faults: the first one that matches a request fires.

use std::collections::VecDeque;

use http::Method;

use super::Fault;
use crate::routes::Route;

/// Queued faults; the first one that matches a request fires.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back(fault);
        }
    }

    /// The fault for this request, if any; it is removed once it has fired `times` times.
    pub(crate) fn take(&mut self, method: &Method, path: &str, route: &Route) -> Option<Fault> {
        let index = self
            .queue
            .iter()
            .position(|f| f.matcher.matches(method, path, route))?;
        let entry = self.queue.get_mut(index)?;
        entry.times -= 1;
        if entry.times == 0 {
            self.queue.remove(index)
        } else {
            Some(entry.clone())
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    pub(crate) fn snapshot(&self) -> Vec<Fault> {
        self.queue.iter().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::fault::{Action, Match};
    use http::StatusCode;
    use openai_invites_core::{ListInvites, Operation};

    #[test]
    fn times_and_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::status(500).times(0));
        q.push(
            Fault::status(503)
                .times(2)
                .matching(Match::Operation(ListInvites::META)),
        );
        q.push(Fault::drop_connection());
        assert_eq!(q.len(), 2);
        let list = Route::classify(&Method::GET, "/v1/organization/invites");
        let create = Route::classify(&Method::POST, "/v1/organization/invites");
        let path = "/v1/organization/invites";
        assert_eq!(
            q.take(&Method::POST, path, &create).unwrap().action,
            Action::Drop
        );
        assert_eq!(q.take(&Method::POST, path, &create), None);
        assert_eq!(
            q.take(&Method::GET, path, &list).unwrap().action,
            Action::Status(StatusCode::SERVICE_UNAVAILABLE)
        );
        assert!(q.take(&Method::GET, path, &list).is_some());
        assert_eq!(q.take(&Method::GET, path, &list), None);
    }
}
