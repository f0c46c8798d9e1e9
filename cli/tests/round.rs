//! An evening round through the real binary: record, then read each screen
//! back as JSON.

mod common;

use common::{on_disk, Device};
use serde_json::Value;

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn an_evening_round_recorded_and_shown() {
    let d = Device::new();
    d.init();

    let jade = d.json(&[
        "add-person",
        "--alias",
        "Jade",
        "--prefers-female-worker",
        "--key-worker",
        "Priya",
    ]);
    let jade_id = jade["id"].as_str().unwrap().to_owned();
    assert_eq!(jade["alias"], "Jade");
    assert_eq!(jade["prefers_female_worker"], true);
    // In text mode add-person prints the id alone, for scripts.
    let amber = d.run(&["add-person", "--alias", "Amber", "--birth-year", "1991"]);
    assert!(amber.status.success());
    let amber_id = String::from_utf8(amber.stdout).unwrap().trim().to_owned();
    assert!(uuid::Uuid::parse_str(&amber_id).is_ok(), "{amber_id}");

    // A contact with supplies, by alias in another case.
    let contact = d.json(&[
        "contact",
        "--area",
        "york_road",
        "--person",
        "jade",
        "--flag",
        "distressed",
        "--supply",
        "condoms=10",
        "--supply",
        "hygiene_pack=1",
        "--note",
        "Wants the Thursday drop-in",
    ]);
    assert_eq!(contact["person_id"], jade_id.as_str());
    assert_eq!(contact["person_alias"], "Jade");
    assert_eq!(contact["area_name"], "York Road");
    assert_eq!(contact["kind"], "outreach_conversation");
    assert_eq!(contact["wellbeing"], serde_json::json!(["distressed"]));
    assert_eq!(contact["supplies"][0]["item_id"], "condoms");
    assert_eq!(contact["supplies"][0]["quantity"], 10);

    // An anonymous first contact, its area taken from the last contact; by id.
    let anon = d.json(&[
        "contact",
        "--flag",
        "first_contact",
        "--supply",
        "leaflet=1",
    ]);
    assert_eq!(anon["area_id"], "york_road");
    assert_eq!(anon["person_id"], Value::Null);
    d.json(&[
        "contact",
        "--area",
        "Ambleside Drive",
        "--person",
        &amber_id,
    ]);

    let drop = d.json(&[
        "supplies",
        "--area",
        "york_road",
        "--purpose",
        "restock_drop_point",
        "--supply",
        "condoms=40",
    ]);
    assert_eq!(drop["purpose"], "restock_drop_point");

    let concern = d.json(&[
        "concern",
        "--category",
        "dangerous_vehicle",
        "--description",
        "Grey beard, tried to pull a woman into the car",
        "--area",
        "ambleside_drive",
        "--severity",
        "high",
        "--alert-hours",
        "72",
        "--police-consent",
        "--vehicle-make",
        "Ford",
        "--vehicle-colour",
        "silver",
        "--vehicle-reg",
        "ab12",
    ]);
    assert_eq!(concern["severity"], "high");
    assert_eq!(concern["vehicle"]["partial_registration"], "AB12");
    assert!(concern["alert_until"].is_string());
    // A concern without an alert does not show among the alerts.
    d.json(&[
        "concern",
        "--category",
        "threats",
        "--description",
        "Shouting from a van",
        "--area",
        "seafront",
    ]);

    let referrals = d.json(&[
        "refer",
        "--person",
        "Jade",
        "--agency",
        "stars",
        "--agency",
        "harp",
        "--urgency",
        "red",
        "--needs",
        "Somewhere safe tonight",
        "--consent",
        "verbal",
        "--covers",
        "contact_details,housing",
    ]);
    let made = referrals.as_array().unwrap();
    assert_eq!(made.len(), 2);
    let agencies: Vec<&str> = made
        .iter()
        .map(|r| r["agency_id"].as_str().unwrap())
        .collect();
    assert_eq!(agencies, ["stars", "harp"]);
    assert!(made.iter().all(|r| r["status"] == "queued"
        && r["urgency"] == "red"
        && r["overdue"] == false
        && r["person_alias"] == "Jade"));

    // Tonight: three contacts, two people, supplies from contacts and the drop.
    let tonight = d.json(&["show", "tonight"]);
    let s = &tonight["summary"];
    assert_eq!(s["contacts"], 3);
    assert_eq!(s["people_seen"], 2);
    assert_eq!(s["anonymous_contacts"], 1);
    assert_eq!(s["first_contacts"], 1);
    assert_eq!(s["concerns"], 2);
    let condoms = s["supplies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["item_id"] == "condoms")
        .unwrap();
    assert_eq!(condoms["quantity"], 50);
    assert_eq!(tonight["contacts"].as_array().unwrap().len(), 3);
    assert_eq!(
        ids(&tonight["contacts"]).last().copied(),
        contact["id"].as_str(),
        "newest first"
    );

    let alerts = d.json(&["show", "alerts"]);
    assert_eq!(ids(&alerts), [concern["id"].as_str().unwrap()]);
    assert_eq!(alerts[0]["area_name"], "Ambleside Drive");
    assert_eq!(alerts[0]["category"], "dangerous_vehicle");

    let open = d.json(&["show", "referrals"]);
    assert_eq!(open.as_array().unwrap().len(), 2);
    assert!(open
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["overdue"] == false && r["agency_name"].is_string()));

    let person = d.json(&["show", "person", "Jade"]);
    assert_eq!(person["person"]["id"], jade_id.as_str());
    let types: Vec<&str> = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "referral").count(), 2);
    assert_eq!(types.iter().filter(|t| **t == "consent").count(), 2);
    assert_eq!(types.iter().filter(|t| **t == "contact").count(), 1);
    let consent = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "consent")
        .unwrap();
    assert_eq!(consent["state"], "valid");
    assert_eq!(
        consent["covers"],
        serde_json::json!(["contact_details", "housing"])
    );

    // Moving a referral on; a closed one leaves the open list.
    let first = made[0]["id"].as_str().unwrap();
    let moved = d.json(&["referral-status", "--id", first, "--status", "accepted"]);
    assert_eq!(moved["status"], "accepted");
    d.json(&["referral-status", "--id", first, "--status", "closed"]);
    assert_eq!(
        ids(&d.json(&["show", "referrals"])),
        [made[1]["id"].as_str().unwrap()]
    );

    let people = d.json(&["show", "people"]);
    assert_eq!(people.as_array().unwrap().len(), 2);

    let status = d.json(&["show", "status"]);
    assert_eq!(status["enrolled"], false);
    assert!(status["pending"].as_u64().unwrap() >= 10);
    assert_eq!(status["identity"]["display_name"], "Sam");

    let directory = d.json(&["show", "directory"]);
    let stars = directory["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "stars")
        .unwrap();
    for field in ["offers", "address", "opening_times", "phone"] {
        assert!(stars[field].as_str().is_some_and(|s| !s.is_empty()));
    }

    // What was said is sealed on disk.
    for secret in ["Jade", "Thursday drop-in", "Grey beard", "Somewhere safe"] {
        assert!(!on_disk(&d.dir, secret), "{secret} readable on disk");
    }
}

#[test]
fn text_screens_render() {
    let d = Device::new();
    d.init();
    d.run(&["add-person", "--alias", "Kez"]);
    let out = d.run(&[
        "contact",
        "--area",
        "seafront",
        "--person",
        "Kez",
        "--supply",
        "condoms=2",
    ]);
    assert!(out.status.success());
    for screen in [
        "tonight",
        "alerts",
        "referrals",
        "people",
        "status",
        "directory",
    ] {
        let out = d.run(&["show", screen]);
        assert!(out.status.success(), "show {screen}");
        assert!(!out.stdout.is_empty(), "show {screen} printed nothing");
    }
    let tonight = String::from_utf8(d.run(&["show", "tonight"]).stdout).unwrap();
    assert!(tonight.contains("Seafront") && tonight.contains("Kez"));
    let directory = String::from_utf8(d.run(&["show", "directory"]).stdout).unwrap();
    assert!(directory.contains("STARS") && directory.contains("phone:"));
}
