//! The fingerprint of a snapshot: one hash of every invite, whatever order the service lists
//! them in.

use openai_invites_core::Invite;
use sha2::{Digest, Sha256};

/// The fingerprint a plan records of the invites it was made against: `sha256:` and the hex
/// digest of every invite sorted by id (so the list order does not matter), one JSON object
/// a line.
pub fn snapshot_fingerprint(invites: &[Invite]) -> String {
    let mut sorted: Vec<&Invite> = invites.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut hasher = Sha256::new();
    for invite in sorted {
        // Serializing a model of plain fields and open enums cannot fail; an empty line
        // would still change the hash.
        hasher.update(serde_json::to_vec(invite).unwrap_or_default());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";
