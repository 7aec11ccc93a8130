//! Each editor feature on fixture packs written inline, rust-analyzer style:
//! `//- name.lens` starts a file, `$0` marks the cursor.

mod assists;
mod completion;
mod diagnostics;
mod fixture;
mod hover;
mod navigation;
mod robustness;
mod sample;
mod structure;
