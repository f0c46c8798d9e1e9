//! The server binary limits glibc's malloc arenas (ADR 0021): threads that
//! allocate at once share [`ARENAS`] arenas instead of one each, so pull
//! pages shaped on 16 blocking threads are not kept 16 times over. Its own
//! test binary: the limit is process-wide and must come before the threads.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use nightround_server::malloc_arenas::{limit, ARENAS};
use std::sync::{Arc, Barrier};

/// The arenas glibc holds now, from `malloc_info`'s XML (one `<heap nr=`
/// element each).
fn arenas() -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("malloc_info.xml");
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a fresh file opened for writing, handed to glibc and closed.
    unsafe {
        let f = libc::fopen(c_path.as_ptr(), c"w".as_ptr());
        assert!(!f.is_null());
        assert_eq!(libc::malloc_info(0, f), 0);
        libc::fclose(f);
    }
    std::fs::read_to_string(&path)
        .unwrap()
        .matches("<heap nr=")
        .count()
}

#[test]
fn threads_allocating_at_once_share_the_limited_arenas() {
    let limit = limit().expect("glibc takes the limit");
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        assert_eq!(limit, ARENAS);
    }
    // Sixteen threads, as the blocking pool has, each holding a page-sized
    // set of allocations while the others make theirs.
    let threads = 16;
    let all_allocated = Arc::new(Barrier::new(threads + 1));
    let counted = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (all_allocated, counted) = (all_allocated.clone(), counted.clone());
            std::thread::spawn(move || {
                let page: Vec<Vec<u8>> = (0..500).map(|j| vec![(i + j) as u8; 700]).collect();
                all_allocated.wait();
                counted.wait();
                page.len()
            })
        })
        .collect();
    all_allocated.wait();
    let held = arenas();
    counted.wait();
    for h in handles {
        assert_eq!(h.join().unwrap(), 500);
    }
    assert!(
        held <= limit as usize,
        "{held} arenas for {threads} threads allocating at once; the limit is {limit}"
    );
}
