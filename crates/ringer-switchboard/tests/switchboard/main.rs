//! The switchboard driven through its public API, as the server shell drives it, in virtual
//! time. One module per area.

mod harness;

mod connections;
mod flows;
mod presence;
mod properties;
mod races;
mod records;
