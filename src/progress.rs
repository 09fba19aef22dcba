//! Progress reporting, as a trait so the library stays free of terminal concerns.
//!
//! The binary implements it with a progress bar on stderr; tests and benches use
//! [`NoProgress`]. Positions are in whatever unit `start` announced (bytes for `hash`).

/// Receives progress from long-running library calls.
pub trait Progress: Sync {
    fn start(&self, _total: u64) {}
    fn update(&self, _position: u64) {}
    fn finish(&self) {}
    /// A new phase with its own total (e.g. "voter file").
    fn phase(&self, _name: &str, _total: u64) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
