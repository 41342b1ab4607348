//! A Docker client with the semantics of the Docker SDK for Python, typed and
//! async, built on the generated bindings of [`docker_engine_api`].
//!
//! The facade is being built; until it lands, [`raw`] gives the exact
//! bindings of every Engine API version.

pub use docker_engine_api as raw;
