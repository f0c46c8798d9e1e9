//! `nightround retention`: the window is set within the partnership's
//! bounds (a bad one is refused clearly and changes nothing), and what the
//! server has not acknowledged is never purged.

mod common;

use common::{failure, Device};

#[test]
fn retention_sets_the_window_and_keeps_what_the_server_has_not_acknowledged() {
    let d = Device::new();
    d.init();
    let jade = d.json(&["add-person", "--alias", "Jade"]);
    let first = d.json(&["retention"]);
    assert_eq!(first["window_days"], 90);
    assert_eq!(first["records"], 0, "in the outbox: kept");
    let set = d.json(&["retention", "--window-days", "30"]);
    assert_eq!(set["window_days"], 30);
    assert_eq!(set["records"], 0);
    let (_, err) = failure(&d.run(&["retention", "--window-days", "3"]));
    assert!(err.contains("between 7 and 365 days"), "{err}");
    assert_eq!(d.json(&["retention"])["window_days"], 30);
    let shown = d.json(&["show", "person", jade["id"].as_str().unwrap()]);
    assert!(shown.to_string().contains("Jade"));
}
