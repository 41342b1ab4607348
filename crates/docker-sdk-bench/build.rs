//! Links the bench binary with packed relative relocations (RELR), as the
//! README suggests to any program that starts often.
//!
//! The generated models make a binary with some 19,000 relative
//! relocations; without RELR the dynamic loader applies each at start-up,
//! which is half of a one-ping process's instructions. RELR needs GNU ld
//! 2.38 or lld, and glibc 2.36 to run; it is used only where both are known
//! to be there (Linux on glibc), and never changes what the program does.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && glibc_has_relr() {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C library here reads RELR (glibc 2.36 and later), asked of
/// `ldd`, which prints the glibc version.
fn glibc_has_relr() -> bool {
    let Ok(output) = std::process::Command::new("ldd").arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let Some(version) = text.lines().next().and_then(|l| l.split_whitespace().last()) else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
