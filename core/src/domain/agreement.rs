//! The partnership's information-sharing agreement, kept as data: who the
//! controllers are and on what lawful basis, which categories of her
//! information each kind of organisation may receive with her consent, how
//! long a consent lasts before review, and how long each kind of record is
//! kept. The server, the dashboard and the data dictionary read the same
//! agreement; a deployment edits its own, the Southend one here is an example.

use super::consent::InfoCategory;
use super::contact::WellbeingFlag;
use super::directory::Directory;
use super::kind::RecordKind;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest a consent may go without review (a year and a day).
pub const MAX_REVIEW_DAYS: u32 = 366;
/// The longest a phone may keep a record the server has acknowledged.
pub const MAX_PHONE_WINDOW_DAYS: u32 = 365;
/// The phone's window unless the partnership sets another.
pub const DEFAULT_PHONE_WINDOW_DAYS: u32 = 90;

/// What an organisation in the partnership does: the agreement says what each
/// kind may receive, so a new member of a known kind needs no new rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// Street outreach and drop-ins: the women's key workers.
    OutreachCharity,
    /// Food, clothing, a warm place.
    CommunitySupport,
    DrugAndAlcoholService,
    SexualHealth,
    /// Homelessness services, council housing, tenancy support.
    Housing,
    MentalHealth,
    DomesticAbuse,
    /// Rape crisis and sexual assault referral centres.
    SexualViolenceSupport,
    Police,
    Probation,
    AdultSocialCare,
    /// A GP, a nurse prescriber.
    PrimaryCare,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 12] = [
        OrganisationKind::OutreachCharity,
        OrganisationKind::CommunitySupport,
        OrganisationKind::DrugAndAlcoholService,
        OrganisationKind::SexualHealth,
        OrganisationKind::Housing,
        OrganisationKind::MentalHealth,
        OrganisationKind::DomesticAbuse,
        OrganisationKind::SexualViolenceSupport,
        OrganisationKind::Police,
        OrganisationKind::Probation,
        OrganisationKind::AdultSocialCare,
        OrganisationKind::PrimaryCare,
    ];

    /// How documents and the dashboard name the kind.
    pub const fn label(self) -> &'static str {
        match self {
            OrganisationKind::OutreachCharity => "outreach charity",
            OrganisationKind::CommunitySupport => "community support",
            OrganisationKind::DrugAndAlcoholService => "drug and alcohol service",
            OrganisationKind::SexualHealth => "sexual health",
            OrganisationKind::Housing => "housing",
            OrganisationKind::MentalHealth => "mental health",
            OrganisationKind::DomesticAbuse => "domestic abuse",
            OrganisationKind::SexualViolenceSupport => "sexual violence support",
            OrganisationKind::Police => "police",
            OrganisationKind::Probation => "probation",
            OrganisationKind::AdultSocialCare => "adult social care",
            OrganisationKind::PrimaryCare => "primary care",
        }
    }
}

/// The UK GDPR Article 6 basis a controller relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Article6Basis {
    /// 6(1)(a).
    Consent,
    /// 6(1)(c).
    LegalObligation,
    /// 6(1)(d).
    VitalInterests,
    /// 6(1)(e): a council, the NHS, the police.
    PublicTask,
    /// 6(1)(f): a charity, commonly.
    LegitimateInterests,
}

impl Article6Basis {
    pub const fn citation(self) -> &'static str {
        match self {
            Article6Basis::Consent => "UK GDPR Art. 6(1)(a) consent",
            Article6Basis::LegalObligation => "UK GDPR Art. 6(1)(c) legal obligation",
            Article6Basis::VitalInterests => "UK GDPR Art. 6(1)(d) vital interests",
            Article6Basis::PublicTask => "UK GDPR Art. 6(1)(e) public task",
            Article6Basis::LegitimateInterests => "UK GDPR Art. 6(1)(f) legitimate interests",
        }
    }
}

/// The DPA 2018 Schedule 1 Part 2 condition an Article 9(2)(g) basis needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule1Condition {
    /// Para 6: statutory and government purposes.
    StatutoryPurposes,
    /// Para 10: preventing or detecting unlawful acts.
    PreventingOrDetectingUnlawfulActs,
    /// Para 18: safeguarding of children and of individuals at risk; allows
    /// sharing without consent when consent cannot be obtained or would put
    /// her at risk.
    SafeguardingIndividualsAtRisk,
}

impl Schedule1Condition {
    pub const fn paragraph(self) -> u8 {
        match self {
            Schedule1Condition::StatutoryPurposes => 6,
            Schedule1Condition::PreventingOrDetectingUnlawfulActs => 10,
            Schedule1Condition::SafeguardingIndividualsAtRisk => 18,
        }
    }
}

/// The UK GDPR Article 9 condition for special-category data (health, sex
/// life, and, under Article 10 with DPA 2018 s.10, criminal-justice data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Article9Condition {
    /// 9(2)(a): her explicit consent.
    ExplicitConsent,
    /// 9(2)(c): vital interests where she cannot consent.
    VitalInterests,
    /// 9(2)(h) with DPA 2018 Sch. 1 para 2: health or social care.
    HealthOrSocialCare,
    /// 9(2)(g) with a DPA 2018 Sch. 1 Part 2 condition.
    SubstantialPublicInterest(Schedule1Condition),
}

impl Article9Condition {
    pub fn citation(self) -> String {
        match self {
            Article9Condition::ExplicitConsent => "UK GDPR Art. 9(2)(a) explicit consent".into(),
            Article9Condition::VitalInterests => "UK GDPR Art. 9(2)(c) vital interests".into(),
            Article9Condition::HealthOrSocialCare => {
                "UK GDPR Art. 9(2)(h) health or social care, DPA 2018 Sch. 1 para 2".into()
            }
            Article9Condition::SubstantialPublicInterest(c) => format!(
                "UK GDPR Art. 9(2)(g) substantial public interest, DPA 2018 Sch. 1 para {}",
                c.paragraph()
            ),
        }
    }
}

/// An organisation of the partnership: a controller for what it records
/// and for what it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// The same id as its directory entry and its workers' `organisation`.
    pub organisation_id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub article6: Article6Basis,
    pub article9: Article9Condition,
}

/// What one kind of organisation may receive, with her consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingRule {
    pub receiver: OrganisationKind,
    pub may_receive: Vec<InfoCategory>,
}

/// Where a retention period counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionStart {
    /// Her most recent contact with any service of the partnership; for a
    /// record linked to no one (an anonymous contact or concern), the
    /// record's own time.
    HerLastContact,
    /// The record's own time.
    RecordMade,
}

/// How long something is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "keep")]
pub enum RetentionPeriod {
    /// Never deleted by the schedule.
    Forever,
    /// Deleted this many months after `from`.
    Months { months: u32, from: RetentionStart },
}

impl RetentionPeriod {
    /// When something whose clock started at `start` is due for deletion;
    /// `None` when it is kept.
    pub fn due(self, start: Timestamp) -> Option<Timestamp> {
        match self {
            RetentionPeriod::Forever => None,
            RetentionPeriod::Months { months, .. } => {
                start.checked_add_months(chrono::Months::new(months))
            }
        }
    }

    /// Whether this keeps things at least as long as `other` does.
    pub fn at_least(self, other: RetentionPeriod) -> bool {
        match (self, other) {
            (RetentionPeriod::Forever, _) => true,
            (RetentionPeriod::Months { .. }, RetentionPeriod::Forever) => false,
            (
                RetentionPeriod::Months { months: a, .. },
                RetentionPeriod::Months { months: b, .. },
            ) => a >= b,
        }
    }

    /// "6 years after her last contact", for documents and the dashboard.
    pub fn describe(self) -> String {
        match self {
            RetentionPeriod::Forever => "kept".into(),
            RetentionPeriod::Months { months, from } => {
                let span = if months % 12 == 0 {
                    let y = months / 12;
                    format!("{y} year{}", if y == 1 { "" } else { "s" })
                } else {
                    format!("{months} month{}", if months == 1 { "" } else { "s" })
                };
                let from = match from {
                    RetentionStart::HerLastContact => "her last contact",
                    RetentionStart::RecordMade => "it was made",
                };
                format!("{span} after {from}")
            }
        }
    }
}

/// How long one kind of record is kept on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRule {
    pub kind: RecordKind,
    pub keep: RetentionPeriod,
}

/// The partnership's retention schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionSchedule {
    /// One rule per record kind.
    pub records: Vec<RetentionRule>,
    /// Safeguarding records (every concern, and a contact that raised the
    /// under-18 flag) are kept at least this long, whatever their kind's rule.
    pub safeguarding: RetentionPeriod,
    /// The audit chain: who received what, and every change.
    pub audit: RetentionPeriod,
    /// Days a phone keeps a record the server has acknowledged (her open
    /// referrals and alerts in force stay longer).
    pub phone_window_days: u32,
}

impl RetentionSchedule {
    /// The rule for a kind of record, the longer safeguarding period applied
    /// where the record is a safeguarding record. `None` only for a schedule
    /// that has not been validated.
    pub fn for_record(&self, kind: RecordKind, safeguarding: bool) -> Option<RetentionPeriod> {
        let rule = self.records.iter().find(|r| r.kind == kind)?.keep;
        Some(if safeguarding && !rule.at_least(self.safeguarding) {
            self.safeguarding
        } else {
            rule
        })
    }
}

/// Whether a stored record is a safeguarding record, kept for the longer
/// safeguarding period: every concern, and a contact that raised the
/// under-18 flag or carries its acknowledgement. Reads the whole body (the
/// server's copy), not a projection.
pub fn is_safeguarding_record(
    kind: RecordKind,
    body: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    match kind {
        RecordKind::Concern => true,
        RecordKind::Contact => {
            let under_18 = serde_json::to_value(WellbeingFlag::AppearsUnder18).ok();
            body.get("safeguarding").is_some_and(|s| !s.is_null())
                || body
                    .get("wellbeing")
                    .and_then(|w| w.as_array())
                    .is_some_and(|w| w.iter().any(|f| Some(f) == under_18.as_ref()))
        }
        _ => false,
    }
}

/// The information-sharing agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingAgreement {
    pub name: String,
    /// Invented for the demo and the documents: a deployment replaces it.
    pub example: bool,
    /// Bumped each time the partnership administrator edits it.
    pub revision: u32,
    pub controllers: Vec<Controller>,
    pub sharing: Vec<SharingRule>,
    /// Days a consent lasts before it must be reviewed with her.
    pub review_days: u32,
    pub retention: RetentionSchedule,
}

/// Why an agreement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    #[error("the agreement could not be read: {0}")]
    Malformed(String),
    #[error("the agreement has no name")]
    Unnamed,
    #[error("the agreement names no controller")]
    NoControllers,
    #[error("an organisation has a blank id")]
    BlankOrganisationId,
    #[error("organisation `{0}` has no name")]
    UnnamedOrganisation(String),
    #[error("organisation `{0}` is listed twice")]
    DuplicateOrganisation(String),
    #[error("the directory's agency `{0}` is not a party to the agreement")]
    AgencyNotInAgreement(String),
    #[error("two sharing rules for {}", .0.label())]
    DuplicateSharingRule(OrganisationKind),
    #[error("the consent review period must be 1 to {max} days")]
    ReviewPeriodOutOfRange { max: u32 },
    #[error("no retention rule for {} records", .0.as_str())]
    RetentionMissing(RecordKind),
    #[error("two retention rules for {} records", .0.as_str())]
    RetentionDuplicated(RecordKind),
    #[error("a retention period of no time for {0}")]
    ZeroRetention(String),
    #[error("safeguarding records must be kept at least as long as {} records", .0.as_str())]
    SafeguardingShorter(RecordKind),
    #[error("the audit must be kept at least as long as the records it covers")]
    AuditShorter,
    #[error("the phone's window must be 1 to {max} days")]
    PhoneWindowOutOfRange { max: u32 },
}

impl SharingAgreement {
    /// Reads and validates an agreement from JSON (a file, the dashboard).
    pub fn from_json(text: &str) -> Result<Self, AgreementError> {
        let a: SharingAgreement = serde_json::from_slice(text.as_bytes())
            .map_err(|e| AgreementError::Malformed(e.to_string()))?;
        a.validate()?;
        Ok(a)
    }

    /// Checks the agreement is whole and consistent.
    pub fn validate(&self) -> Result<(), AgreementError> {
        if self.name.trim().is_empty() {
            return Err(AgreementError::Unnamed);
        }
        if self.controllers.is_empty() {
            return Err(AgreementError::NoControllers);
        }
        for (i, c) in self.controllers.iter().enumerate() {
            if c.organisation_id.trim().is_empty() {
                return Err(AgreementError::BlankOrganisationId);
            }
            if c.name.trim().is_empty() {
                return Err(AgreementError::UnnamedOrganisation(
                    c.organisation_id.clone(),
                ));
            }
            if self.controllers[..i]
                .iter()
                .any(|o| o.organisation_id == c.organisation_id)
            {
                return Err(AgreementError::DuplicateOrganisation(
                    c.organisation_id.clone(),
                ));
            }
        }
        for (i, r) in self.sharing.iter().enumerate() {
            if self.sharing[..i].iter().any(|o| o.receiver == r.receiver) {
                return Err(AgreementError::DuplicateSharingRule(r.receiver));
            }
        }
        if !(1..=MAX_REVIEW_DAYS).contains(&self.review_days) {
            return Err(AgreementError::ReviewPeriodOutOfRange {
                max: MAX_REVIEW_DAYS,
            });
        }
        self.validate_retention()
    }

    fn validate_retention(&self) -> Result<(), AgreementError> {
        let r = &self.retention;
        for kind in RecordKind::ALL {
            match r.records.iter().filter(|x| x.kind == kind).count() {
                0 => return Err(AgreementError::RetentionMissing(kind)),
                1 => {}
                _ => return Err(AgreementError::RetentionDuplicated(kind)),
            }
        }
        let zero = |p: RetentionPeriod| matches!(p, RetentionPeriod::Months { months: 0, .. });
        for rule in &r.records {
            if zero(rule.keep) {
                return Err(AgreementError::ZeroRetention(rule.kind.as_str().into()));
            }
        }
        if zero(r.safeguarding) {
            return Err(AgreementError::ZeroRetention("safeguarding".into()));
        }
        for rule in &r.records {
            if !r.safeguarding.at_least(rule.keep) {
                return Err(AgreementError::SafeguardingShorter(rule.kind));
            }
        }
        if !r.audit.at_least(r.safeguarding) {
            return Err(AgreementError::AuditShorter);
        }
        if !(1..=MAX_PHONE_WINDOW_DAYS).contains(&r.phone_window_days) {
            return Err(AgreementError::PhoneWindowOutOfRange {
                max: MAX_PHONE_WINDOW_DAYS,
            });
        }
        Ok(())
    }

    /// Checks that every agency a worker can refer to or record a consent for
    /// is a party to the agreement (else nothing could be shared with it).
    pub fn check_against(&self, dir: &Directory) -> Result<(), AgreementError> {
        match dir
            .agencies
            .iter()
            .find(|a| self.controller(&a.id).is_none())
        {
            Some(a) => Err(AgreementError::AgencyNotInAgreement(a.id.clone())),
            None => Ok(()),
        }
    }

    /// The party with this organisation id.
    pub fn controller(&self, organisation_id: &str) -> Option<&Controller> {
        self.controllers
            .iter()
            .find(|c| c.organisation_id == organisation_id)
    }

    /// What the agreement lets a kind of organisation receive at most.
    pub fn may_receive(&self, receiver_kind: OrganisationKind) -> &[InfoCategory] {
        self.sharing
            .iter()
            .find(|r| r.receiver == receiver_kind)
            .map_or(&[], |r| r.may_receive.as_slice())
    }

    /// The categories a receiver of this kind may hold under a consent
    /// covering `consent_covers`: her consent's scope within the
    /// agreement's, in [`InfoCategory::ALL`] order. A kind with no rule
    /// receives nothing.
    pub fn allowed_categories(
        &self,
        receiver_kind: OrganisationKind,
        consent_covers: &[InfoCategory],
    ) -> Vec<InfoCategory> {
        let agreed = self.may_receive(receiver_kind);
        InfoCategory::ALL
            .into_iter()
            .filter(|c| agreed.contains(c) && consent_covers.contains(c))
            .collect()
    }

    /// [`Self::allowed_categories`] for an organisation by id; an
    /// organisation outside the agreement receives nothing.
    pub fn allowed_for_organisation(
        &self,
        organisation_id: &str,
        consent_covers: &[InfoCategory],
    ) -> Vec<InfoCategory> {
        self.controller(organisation_id).map_or_else(Vec::new, |c| {
            self.allowed_categories(c.kind, consent_covers)
        })
    }

    /// The default review period for a new consent.
    pub fn review_period(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.review_days))
    }

    /// An EXAMPLE agreement for the Southend partnership, matching
    /// [`Directory::southend_defaults`]: its bases, rules and periods are
    /// plausible, not agreed by anyone. Marked `example: true`.
    pub fn southend_example() -> Self {
        use Article6Basis as A6;
        use Article9Condition as A9;
        use InfoCategory::*;
        use OrganisationKind as K;
        use Schedule1Condition as S1;
        let c = |id: &str, name: &str, kind, article6, article9| Controller {
            organisation_id: id.into(),
            name: name.into(),
            kind,
            article6,
            article9,
        };
        let charity = (A6::Consent, A9::ExplicitConsent);
        let nhs = (A6::PublicTask, A9::HealthOrSocialCare);
        let controllers = vec![
            c(
                "aspirations",
                "Aspirations",
                K::OutreachCharity,
                charity.0,
                charity.1,
            ),
            c(
                "vineyard",
                "The Vineyard",
                K::OutreachCharity,
                charity.0,
                charity.1,
            ),
            c(
                "storehouse",
                "The Storehouse",
                K::CommunitySupport,
                charity.0,
                charity.1,
            ),
            c("stars", "STARS", K::DrugAndAlcoholService, nhs.0, nhs.1),
            c(
                "cgl",
                "Change Grow Live",
                K::DrugAndAlcoholService,
                nhs.0,
                nhs.1,
            ),
            c(
                "harp",
                "HARP",
                K::Housing,
                A6::LegitimateInterests,
                A9::ExplicitConsent,
            ),
            c(
                "housing_solutions",
                "Housing Solutions",
                K::Housing,
                A6::PublicTask,
                A9::SubstantialPublicInterest(S1::StatutoryPurposes),
            ),
            c(
                "rsmh",
                "Rough Sleeping Mental Health team",
                K::MentalHealth,
                nhs.0,
                nhs.1,
            ),
            c(
                "tht",
                "Terrence Higgins Trust",
                K::SexualHealth,
                A6::LegitimateInterests,
                A9::HealthOrSocialCare,
            ),
            c(
                "sexual_health",
                "Southend sexual health service",
                K::SexualHealth,
                nhs.0,
                nhs.1,
            ),
            c(
                "sos_rape_crisis",
                "SOS Rape Crisis",
                K::SexualViolenceSupport,
                charity.0,
                charity.1,
            ),
            c(
                "oakwood_place",
                "Oakwood Place SARC",
                K::SexualViolenceSupport,
                nhs.0,
                nhs.1,
            ),
            c(
                "safe_steps",
                "Safe Steps",
                K::DomesticAbuse,
                charity.0,
                charity.1,
            ),
            c(
                "peabody",
                "Peabody Floating Support",
                K::Housing,
                A6::LegitimateInterests,
                A9::ExplicitConsent,
            ),
            c(
                "probation",
                "Probation",
                K::Probation,
                A6::PublicTask,
                A9::SubstantialPublicInterest(S1::StatutoryPurposes),
            ),
            c(
                "adult_social_care",
                "Adult Social Care",
                K::AdultSocialCare,
                A6::PublicTask,
                A9::SubstantialPublicInterest(S1::SafeguardingIndividualsAtRisk),
            ),
            c(
                "nurse_prescriber",
                "Nurse prescriber at the drop-in",
                K::PrimaryCare,
                nhs.0,
                nhs.1,
            ),
            c(
                "essex_police",
                "Essex Police",
                K::Police,
                A6::PublicTask,
                A9::SubstantialPublicInterest(S1::SafeguardingIndividualsAtRisk),
            ),
        ];
        let rule = |receiver, may_receive: &[InfoCategory]| SharingRule {
            receiver,
            may_receive: may_receive.to_vec(),
        };
        let sharing = vec![
            rule(K::OutreachCharity, &InfoCategory::ALL),
            rule(
                K::CommunitySupport,
                &[ContactDetails, ContactHistory, Wellbeing, FreeTextNote],
            ),
            rule(
                K::DrugAndAlcoholService,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    SubstanceUse,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::SexualHealth,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    SubstanceUse,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::Housing,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::MentalHealth,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    SubstanceUse,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::DomesticAbuse,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::SexualViolenceSupport,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    Safety,
                    FreeTextNote,
                ],
            ),
            // The police never receive workers' notes or her health, whatever
            // she ticks: welfare and safety only.
            rule(
                K::Police,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    CriminalJustice,
                    Safety,
                ],
            ),
            rule(
                K::Probation,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    SubstanceUse,
                    Housing,
                    CriminalJustice,
                ],
            ),
            rule(
                K::AdultSocialCare,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    SubstanceUse,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
            rule(
                K::PrimaryCare,
                &[
                    ContactDetails,
                    ContactHistory,
                    Wellbeing,
                    Health,
                    SubstanceUse,
                    Housing,
                    Safety,
                    FreeTextNote,
                ],
            ),
        ];
        let after_last = |years: u32| RetentionPeriod::Months {
            months: years * 12,
            from: RetentionStart::HerLastContact,
        };
        let after_made = |months: u32| RetentionPeriod::Months {
            months,
            from: RetentionStart::RecordMade,
        };
        let keep = |kind, keep| RetentionRule { kind, keep };
        let retention = RetentionSchedule {
            records: vec![
                keep(RecordKind::Person, after_last(6)),
                keep(RecordKind::Contact, after_last(6)),
                keep(RecordKind::Consent, after_last(6)),
                keep(RecordKind::Referral, after_last(6)),
                keep(RecordKind::Concern, after_made(72)),
                keep(RecordKind::SupplyDrop, after_made(24)),
                keep(RecordKind::Round, after_made(12)),
                keep(RecordKind::CheckIn, after_made(12)),
            ],
            safeguarding: after_last(10),
            audit: RetentionPeriod::Forever,
            phone_window_days: DEFAULT_PHONE_WINDOW_DAYS,
        };
        SharingAgreement {
            name: "Southend-on-Sea street outreach partnership (EXAMPLE agreement)".into(),
            example: true,
            revision: 1,
            controllers,
            sharing,
            review_days: super::consent::default_review_period()
                .num_days()
                .try_into()
                .unwrap_or(182),
            retention,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use InfoCategory::*;

    #[test]
    fn the_example_is_valid_marked_and_covers_the_directory() {
        let a = SharingAgreement::southend_example();
        assert!(a.example && a.name.contains("EXAMPLE"));
        assert_eq!(a.validate(), Ok(()));
        assert_eq!(a.check_against(&Directory::southend_defaults()), Ok(()));
        assert_eq!(a.review_days, 182);
        assert_eq!(a.retention.phone_window_days, 90);
        assert_eq!(a.retention.audit, RetentionPeriod::Forever);
        // Every kind of organisation has a rule.
        for k in OrganisationKind::ALL {
            assert!(a.sharing.iter().any(|r| r.receiver == k), "{}", k.label());
        }
        let back = SharingAgreement::from_json(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn allowed_is_her_consent_within_the_agreement() {
        let a = SharingAgreement::southend_example();
        let covers = [FreeTextNote, Safety, Health, ContactDetails, Safety];
        assert_eq!(
            a.allowed_categories(OrganisationKind::Police, &covers),
            [ContactDetails, Safety]
        );
        assert_eq!(
            a.allowed_categories(OrganisationKind::OutreachCharity, &covers),
            [ContactDetails, Health, Safety, FreeTextNote]
        );
        assert_eq!(a.allowed_categories(OrganisationKind::Police, &[]), []);
        assert_eq!(
            a.allowed_for_organisation("stars", &[SubstanceUse, CriminalJustice]),
            [SubstanceUse]
        );
        assert_eq!(
            a.allowed_for_organisation("not_a_party", &InfoCategory::ALL),
            []
        );
        let mut no_rule = a.clone();
        no_rule
            .sharing
            .retain(|r| r.receiver != OrganisationKind::Probation);
        assert_eq!(
            no_rule.allowed_categories(OrganisationKind::Probation, &InfoCategory::ALL),
            []
        );
    }

    #[test]
    fn retention_six_years_safeguarding_longer_audit_kept() {
        let a = SharingAgreement::southend_example();
        let r = &a.retention;
        let last = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 21, 0, 0)
            .unwrap();
        let contact = r.for_record(RecordKind::Contact, false).unwrap();
        assert_eq!(
            contact.due(last),
            Some(
                chrono::Utc
                    .with_ymd_and_hms(2032, 11, 20, 21, 0, 0)
                    .unwrap()
            )
        );
        assert_eq!(contact.describe(), "6 years after her last contact");
        let flagged = r.for_record(RecordKind::Contact, true).unwrap();
        assert_eq!(flagged, r.safeguarding);
        assert!(flagged.due(last) > contact.due(last));
        // Every concern is a safeguarding record: the longer period.
        assert_eq!(
            r.for_record(RecordKind::Concern, true).unwrap().describe(),
            "10 years after her last contact"
        );
        assert_eq!(r.audit.due(last), None);
        assert_eq!(
            RetentionPeriod::Months {
                months: 1,
                from: RetentionStart::RecordMade
            }
            .describe(),
            "1 month after it was made"
        );
    }

    #[test]
    fn safeguarding_records_are_recognised() {
        let body = |json: &str| -> serde_json::Map<String, serde_json::Value> {
            serde_json::from_str(json).unwrap()
        };
        assert!(is_safeguarding_record(RecordKind::Concern, &body("{}")));
        assert!(is_safeguarding_record(
            RecordKind::Contact,
            &body(r#"{"wellbeing":["distressed","appears_under18"],"safeguarding":null}"#)
        ));
        assert!(is_safeguarding_record(
            RecordKind::Contact,
            &body(r#"{"wellbeing":[],"safeguarding":{"acknowledged_by":"Sam"}}"#)
        ));
        assert!(!is_safeguarding_record(
            RecordKind::Contact,
            &body(r#"{"wellbeing":["distressed"],"safeguarding":null}"#)
        ));
        assert!(!is_safeguarding_record(RecordKind::Person, &body("{}")));
    }

    #[test]
    fn bad_agreements_are_refused_with_the_reason() {
        let ok = SharingAgreement::southend_example();
        let check = |f: &dyn Fn(&mut SharingAgreement)| {
            let mut a = ok.clone();
            f(&mut a);
            a.validate()
        };
        assert_eq!(
            check(&|a| a.name = " ".into()),
            Err(AgreementError::Unnamed)
        );
        assert_eq!(
            check(&|a| a.controllers.clear()),
            Err(AgreementError::NoControllers)
        );
        assert_eq!(
            check(&|a| a.controllers[1].organisation_id = "".into()),
            Err(AgreementError::BlankOrganisationId)
        );
        assert_eq!(
            check(&|a| a.controllers[1].name = "".into()),
            Err(AgreementError::UnnamedOrganisation("vineyard".into()))
        );
        assert_eq!(
            check(&|a| a.controllers[1].organisation_id = "aspirations".into()),
            Err(AgreementError::DuplicateOrganisation("aspirations".into()))
        );
        assert_eq!(
            check(&|a| {
                let again = a.sharing[0].clone();
                a.sharing.push(again)
            }),
            Err(AgreementError::DuplicateSharingRule(
                OrganisationKind::OutreachCharity
            ))
        );
        assert_eq!(
            check(&|a| a.review_days = 0),
            Err(AgreementError::ReviewPeriodOutOfRange { max: 366 })
        );
        assert_eq!(
            check(&|a| a.review_days = 400),
            Err(AgreementError::ReviewPeriodOutOfRange { max: 366 })
        );
        assert_eq!(
            check(&|a| a
                .retention
                .records
                .retain(|r| r.kind != RecordKind::Referral)),
            Err(AgreementError::RetentionMissing(RecordKind::Referral))
        );
        assert_eq!(
            check(&|a| {
                let again = a.retention.records[0];
                a.retention.records.push(again)
            }),
            Err(AgreementError::RetentionDuplicated(RecordKind::Person))
        );
        assert_eq!(
            check(&|a| {
                a.retention.records[1].keep = RetentionPeriod::Months {
                    months: 0,
                    from: RetentionStart::RecordMade,
                }
            }),
            Err(AgreementError::ZeroRetention("contact".into()))
        );
        assert_eq!(
            check(&|a| {
                a.retention.records[1].keep = RetentionPeriod::Months {
                    months: 12 * 11,
                    from: RetentionStart::HerLastContact,
                }
            }),
            Err(AgreementError::SafeguardingShorter(RecordKind::Contact))
        );
        assert_eq!(
            check(&|a| {
                a.retention.audit = RetentionPeriod::Months {
                    months: 12,
                    from: RetentionStart::RecordMade,
                }
            }),
            Err(AgreementError::AuditShorter)
        );
        assert_eq!(
            check(&|a| a.retention.phone_window_days = 0),
            Err(AgreementError::PhoneWindowOutOfRange { max: 365 })
        );
        let mut dir = Directory::southend_defaults();
        dir.agencies[0].id = "dental_van".into();
        assert_eq!(
            ok.check_against(&dir),
            Err(AgreementError::AgencyNotInAgreement("dental_van".into()))
        );
        assert!(matches!(
            SharingAgreement::from_json("{\"name\": 3}"),
            Err(AgreementError::Malformed(_))
        ));
        let mut bad = serde_json::to_value(&ok).unwrap();
        bad["review_days"] = 0.into();
        assert_eq!(
            SharingAgreement::from_json(&bad.to_string()),
            Err(AgreementError::ReviewPeriodOutOfRange { max: 366 })
        );
    }
}
