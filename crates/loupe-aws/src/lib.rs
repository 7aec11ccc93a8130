//! The AWS Well-Architected Tool's custom lens JSON (schemaVersion
//! `2021-11-01`): a pack exported to it, and a lens imported from it as a
//! formatted pack. Text and bytes in, text out: the CLI does the IO.

pub mod export;
pub mod import;
pub mod model;

pub use export::{Format, export, lens_json};
