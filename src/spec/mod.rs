//! The token spec: the rules every member org's copy of the tool must follow so the same
//! person gives the same token everywhere (`TOKEN-SPEC.md`, version 1, frozen).
//!
//! [`normalize`] and [`record`] turn fields into the spec's normalized values, [`key`],
//! [`token`] and [`mac`] do the cryptography (key file, fingerprint, HKDF subkeys, HMAC tokens),
//! [`kinds`] lists the parts and kinds that spec v2 adds (a data table), [`label`] checks
//! round and org labels, and [`hashfile`] is the token file format that carries the tokens
//! to the coordinator.

pub mod fields;
pub mod hashfile;
pub mod key;
pub mod kinds;
pub mod label;
pub mod mac;
pub mod normalize;
pub mod record;
pub mod token;
pub mod token_v2;
