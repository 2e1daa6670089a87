//! Cross-component tests, one module per area.
