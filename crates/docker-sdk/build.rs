//! Picks the raw API module the facade is built against: the newest
//! `v1_NN` feature enabled (features add up, so with several the newest
//! wins), as kube-rs picks a Kubernetes version through k8s-openapi.
//!
//! It writes `api.rs` (the `api` module's re-export) and sets the cfgs
//! `api_1_NN` for every version up to the chosen one, so code that needs a
//! newer API than 1.41 says so with `#[cfg(api_1_44)]`.

use std::fmt::Write as _;

const OLDEST: u16 = 41;
const NEWEST: u16 = 55;

fn main() {
    for minor in OLDEST..=NEWEST {
        println!("cargo::rustc-check-cfg=cfg(api_1_{minor})");
    }
    let chosen = (OLDEST..=NEWEST)
        .rev()
        .find(|minor| std::env::var_os(format!("CARGO_FEATURE_V1_{minor}")).is_some());
    let Some(chosen) = chosen else {
        // No version: say what to do instead of a thousand missing types.
        println!(
            "cargo::error=docker-sdk needs one API version feature (v1_{OLDEST} … v1_{NEWEST}); \
             the default is v1_{NEWEST}"
        );
        return;
    };
    for minor in OLDEST..=chosen {
        println!("cargo::rustc-cfg=api_1_{minor}");
    }
    println!("cargo::rustc-env=DOCKER_SDK_API_MINOR={chosen}");
    let mut api = String::new();
    let _ = writeln!(api, "pub use docker_engine_api::v1_{chosen}::*;");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_owned());
    let path = std::path::Path::new(&out).join("api.rs");
    if let Err(error) = std::fs::write(&path, api) {
        println!("cargo::error=cannot write {}: {error}", path.display());
    }
}
