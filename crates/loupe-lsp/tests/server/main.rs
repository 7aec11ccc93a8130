//! The server in process, driven over a pipe by a client that speaks
//! JSON-RPC as an editor does, on copies of the fixture pack.

mod common;
mod features;
mod lifecycle;
mod random_edits;
mod sample;
mod sync;
mod workspace;
