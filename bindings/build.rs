//! Link options for the phones' library (scripts/lib-size.sh holds it under
//! 4 MB). Both Android's and the host's linker are LLD:
//!
//! - relative relocations packed (RELR): a pointer table of ~12,000
//!   relocations takes 8 bytes a run instead of 24 bytes each (~0.27 MB).
//!   Android reads RELR from API 28 (the app's minSdk) with Android's own
//!   tags; glibc from 2.36. Apple's linker packs fixups by itself.
//! - identical code folding, `safe` mode: only functions whose address is
//!   never taken are merged, so no pointer comparison can change meaning
//!   (C objects without address-significance tables are left alone).
//! - `-O2`: tail-merged strings.
//!
//! Only the cdylib gets these; the tests' binaries link as before.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let relr: &[&str] = match (os.as_str(), env.as_str()) {
        ("android", _) => &[
            "-Wl,--pack-dyn-relocs=android+relr",
            "-Wl,--use-android-relr-tags",
        ],
        ("linux", "gnu") => &["-Wl,-z,pack-relative-relocs"],
        _ => &[],
    };
    if os == "android" || os == "linux" {
        for arg in relr.iter().chain(&["-Wl,--icf=safe", "-Wl,-O2"]) {
            println!("cargo:rustc-cdylib-link-arg={arg}");
        }
    }
}
