//! Placeholder; see the helper working on it.
