//! glibc's malloc arenas, limited for the server process (issue 11,
//! ADR 0021). glibc gives each thread that allocates while others do an
//! arena of its own, up to eight per core, and an arena keeps what was freed
//! in it when a live chunk sits above the free space. A pull page is opened,
//! shaped and serialised on whichever of the 16 blocking threads runs it
//! (ADR 0018), so every thread's arena grew to hold pages and kept them:
//! one organisation of 200 phones × 100 records peaked at 136 MiB, 86 MiB
//! with two arenas (docs/benchmarks.md, "Pull pages and malloc arenas").

/// The arenas the server's allocator may use: the main one and one more,
/// shared by the async and blocking threads.
pub const ARENAS: i32 = 2;

/// Limits glibc's malloc to [`ARENAS`] arenas, unless the environment
/// already chose (`MALLOC_ARENA_MAX`, read by glibc at start). Call it first
/// in `main`, before threads start: an arena made earlier stays. Returns
/// the limit in force, or `None` where it is not glibc's to set (another
/// libc, or `mallopt` refused).
pub fn limit() -> Option<i32> {
    if let Some(v) = std::env::var("MALLOC_ARENA_MAX")
        .ok()
        .and_then(|v| v.trim().parse::<i32>().ok())
    {
        return Some(v);
    }
    set(ARENAS)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set(arenas: i32) -> Option<i32> {
    // SAFETY: `mallopt` only stores a tuning parameter under glibc's own
    // lock; it takes no pointers and is safe to call from any thread.
    let ok = unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) };
    (ok == 1).then_some(arenas)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set(_arenas: i32) -> Option<i32> {
    None
}
