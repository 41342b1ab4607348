//! Decoding what the engine streams.

pub mod json_lines;
