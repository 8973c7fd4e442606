//! Repeated webhook deliveries (docs/operations.md): a delivery whose `Idempotency-Key` was seen before
//! runs nothing. GitLab does not re-deliver on its own (a failed delivery is logged on its
//! side, not retried); the key comes back when someone presses "Resend" in GitLab's UI, or
//! when a proxy retries. Memory is bounded: only the newest keys are kept.
//!
//! Must not decide anything about the event itself.

use std::collections::{HashSet, VecDeque};

/// Keys longer than this are not remembered (GitLab sends UUIDs).
const MAX_KEY_LEN: usize = 200;

/// The newest `capacity` idempotency keys seen.
#[derive(Debug)]
pub struct SeenKeys {
    order: VecDeque<String>,
    set: HashSet<String>,
    capacity: usize,
}

impl SeenKeys {
    /// Returns an empty set that remembers at most `capacity` keys.
    pub fn new(capacity: usize) -> SeenKeys {
        SeenKeys { order: VecDeque::new(), set: HashSet::new(), capacity: capacity.max(1) }
    }

    /// Remembers `key` and returns true the first time it is seen, false on a repeat.
    pub fn first_time(&mut self, key: &str) -> bool {
        if key.len() > MAX_KEY_LEN {
            return true;
        }
        if self.set.contains(key) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
        self.order.push_back(key.to_string());
        self.set.insert(key.to_string());
        true
    }

    /// Returns how many keys are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Returns true when no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}
