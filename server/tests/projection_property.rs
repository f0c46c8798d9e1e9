//! The policy property test of issue 14: random women, consents (scope,
//! agency — police among them —, review date passed or not, withdrawn or
//! not), contacts (with and without a note and wellbeing), with and without
//! a stored agreement; for every viewer (police officer, receiving agency,
//! another organisation, her own organisation) what she pulls from a real
//! server on loopback is exactly her records projected to the categories
//! her consents in force to that viewer cover, within the agreement:
//! nothing over-shared, nothing lost.
//!
//! Referrals to a receiving agency are in; concerns (routing by
//! `police_consent`) are not yet — `policy_matrix.rs` pins those.

mod common;

use chrono::Duration;
use common::*;
use nightround_core::domain::agreement::{OrganisationKind, SharingAgreement};
use nightround_core::domain::categories::project;
use nightround_core::domain::{ContactKind, InfoCategory, RecordKind, ReferralStatus, Role};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The agencies a consent may name: the police, and two receiving agencies.
const AGENCIES: [&str; 3] = ["essex_police", "stars", "harp"];

#[derive(Debug, Clone)]
struct ConsentSpec {
    agency: usize,
    covers: Vec<InfoCategory>,
    /// Days from now to its review date (negative: passed).
    review_in: i64,
    withdrawn: bool,
}

#[derive(Debug, Clone)]
struct ContactSpec {
    note: bool,
    wellbeing: bool,
}

#[derive(Debug, Clone)]
struct WomanSpec {
    contacts: Vec<ContactSpec>,
    consents: Vec<ConsentSpec>,
    /// Referred to STARS (when she has a consent to it to cite).
    referred: bool,
}

fn consent_spec() -> impl Strategy<Value = ConsentSpec> {
    (
        0..AGENCIES.len(),
        proptest::sample::subsequence(InfoCategory::ALL.to_vec(), 1..=InfoCategory::ALL.len()),
        prop_oneof![Just(-2i64), 1i64..60],
        any::<bool>(),
    )
        .prop_map(|(agency, covers, review_in, withdrawn)| ConsentSpec {
            agency,
            covers,
            review_in,
            withdrawn,
        })
}

fn woman_spec() -> impl Strategy<Value = WomanSpec> {
    (
        proptest::collection::vec(
            (any::<bool>(), any::<bool>())
                .prop_map(|(note, wellbeing)| ContactSpec { note, wellbeing }),
            0..3,
        ),
        proptest::collection::vec(consent_spec(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(contacts, consents, referred)| WomanSpec {
            contacts,
            consents,
            referred,
        })
}

/// Who pulls: what the oracle needs to know about each viewer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ViewerKind {
    Police,
    Agency(&'static str),
    OtherOrganisation,
    OwnOrganisation,
}

/// Whether she is referred to STARS in this case (a referral cites a
/// consent to it, so only a woman with one is).
fn is_referred(w: &WomanSpec) -> bool {
    w.referred && w.consents.iter().any(|c| AGENCIES[c.agency] == "stars")
}

/// The oracle: `None` when the viewer may not receive the record, else the
/// categories she may receive of it (`None` inside: all of it).
fn oracle(
    viewer: ViewerKind,
    kind: RecordKind,
    woman: &WomanSpec,
    agreement: Option<&SharingAgreement>,
) -> Option<Option<Vec<InfoCategory>>> {
    let agency = match (viewer, kind) {
        (ViewerKind::OwnOrganisation, _) => return Some(None),
        (ViewerKind::OtherOrganisation, _) => return None,
        // The police see no referral here (none is addressed to them).
        (ViewerKind::Police, RecordKind::Referral) => return None,
        (ViewerKind::Police, _) => "essex_police",
        // An agency never sees contacts, and a person only when referred.
        (ViewerKind::Agency(_), RecordKind::Contact) => return None,
        (ViewerKind::Agency(_), RecordKind::Person) if !is_referred(woman) => return None,
        (ViewerKind::Agency(a), _) => a,
    };
    let consents = &woman.consents;
    let in_force: Vec<&ConsentSpec> = consents
        .iter()
        .filter(|c| AGENCIES[c.agency] == agency && !c.withdrawn && c.review_in > 0)
        .collect();
    if in_force.is_empty() {
        return None;
    }
    // A referral to her agency is the sharing she agreed to: it goes whole.
    if kind == RecordKind::Referral {
        return Some(None);
    }
    let covered: Vec<InfoCategory> = InfoCategory::ALL
        .into_iter()
        .filter(|cat| in_force.iter().any(|c| c.covers.contains(cat)))
        .collect();
    let capped = match (agreement, viewer) {
        (None, _) => covered,
        (Some(a), ViewerKind::Police) => a
            .may_receive(OrganisationKind::Police)
            .iter()
            .copied()
            .filter(|c| covered.contains(c))
            .collect(),
        (Some(a), _) => {
            let kind = a.controller(agency).map(|c| c.kind);
            covered
                .into_iter()
                .filter(|c| kind.is_some_and(|k| a.may_receive(k).contains(c)))
                .collect()
        }
    };
    Some(Some(capped))
}

async fn run_case(women: Vec<WomanSpec>, store_agreement: bool) {
    let t = TestServer::start().await;
    let agreement = store_agreement.then(SharingAgreement::southend_example);
    if let Some(a) = &agreement {
        nightround_server::partnership::save_agreement(t.admin(), a.clone()).unwrap();
    }
    let oa = t
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    let viewers = [
        (
            ViewerKind::Police,
            t.device("Essex Police", "p1", Role::PoliceOfficer, None)
                .await,
        ),
        (
            ViewerKind::Agency("stars"),
            t.device("STARS", "st", Role::ReceivingAgency, Some("stars"))
                .await,
        ),
        (
            ViewerKind::OtherOrganisation,
            t.device("The Vineyard", "ob", Role::OutreachWorker, None)
                .await,
        ),
        (ViewerKind::OwnOrganisation, t.colleague(&oa).await),
    ];
    let now = t.now();
    let v = || oa.version_at(now);
    let mut changes = Vec::new();
    // Every person and contact pushed: (kind, body, whose consents).
    let mut pushed: HashMap<Uuid, (RecordKind, Map<String, Value>, usize)> = HashMap::new();
    for (i, w) in women.iter().enumerate() {
        let her = person(&oa.identity, &format!("W{i}"), now);
        let her_id = id_of(&her);
        pushed.insert(
            her_id,
            (RecordKind::Person, her.as_object().unwrap().clone(), i),
        );
        changes.push(change(RecordKind::Person, &v(), her));
        for c in &w.contacts {
            let mut body = contact(&oa.identity, Some(her_id), ContactKind::Phone, now);
            if c.wellbeing {
                body["wellbeing"] = json!(["distressed"]);
            }
            if !c.note {
                body["note"] = Value::Null;
            }
            pushed.insert(
                id_of(&body),
                (RecordKind::Contact, body.as_object().unwrap().clone(), i),
            );
            changes.push(change(RecordKind::Contact, &v(), body));
        }
        let mut stars_consent = None;
        for c in &w.consents {
            let given = now - Duration::days(10);
            let withdrawn = c.withdrawn.then(|| now - Duration::days(1));
            let mut body = consent(
                &oa.identity,
                her_id,
                AGENCIES[c.agency],
                now + Duration::days(c.review_in),
                withdrawn,
                given,
            );
            body["covers"] = serde_json::to_value(&c.covers).unwrap();
            if AGENCIES[c.agency] == "stars" && stars_consent.is_none() {
                stars_consent = Some(id_of(&body));
            }
            changes.push(change(RecordKind::Consent, &v(), body));
        }
        if let (true, Some(cited)) = (is_referred(w), stars_consent) {
            let body = referral(
                &oa.identity,
                her_id,
                "stars",
                cited,
                ReferralStatus::Sent,
                now,
            );
            pushed.insert(
                id_of(&body),
                (RecordKind::Referral, body.as_object().unwrap().clone(), i),
            );
            changes.push(change(RecordKind::Referral, &v(), body));
        }
    }
    if !changes.is_empty() {
        t.push_ok(&oa, changes).await;
    }
    for (kind, dev) in &viewers {
        let got: HashMap<Uuid, Option<Value>> = t
            .pull_all(dev)
            .await
            .into_iter()
            .filter(|c| {
                matches!(
                    c.change.kind,
                    RecordKind::Person | RecordKind::Contact | RecordKind::Referral
                )
            })
            .map(|c| (c.change.id, c.change.body))
            .collect();
        for (id, (rk, body, woman)) in &pushed {
            let expect = oracle(*kind, *rk, &women[*woman], agreement.as_ref());
            let received = got.get(id).cloned().flatten();
            match expect {
                None => assert!(
                    received.is_none(),
                    "{kind:?} received a {rk:?} it may not see"
                ),
                Some(cats) => {
                    let mut want = body.clone();
                    if let Some(cats) = &cats {
                        project(*rk, &mut want, cats);
                    }
                    let received = received.unwrap_or_else(|| {
                        panic!("{kind:?} did not receive a {rk:?} it may see ({cats:?})")
                    });
                    assert_eq!(
                        received,
                        Value::Object(want),
                        "{kind:?} under {cats:?}, agreement stored: {store_agreement}"
                    );
                }
            }
        }
        for id in got.keys() {
            assert!(pushed.contains_key(id), "a record nobody pushed");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_viewer_receives_exactly_what_her_consents_and_the_agreement_allow(
        women in proptest::collection::vec(woman_spec(), 1..4),
        store_agreement in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run_case(women, store_agreement));
    }
}
