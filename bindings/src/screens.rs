//! The screens issue 13 (item 8) found without a call, and the shell-side
//! joins the apps' READMEs wished into the core: tonight's display rows,
//! every concern, supply drops, a contact or referral by id, her profile
//! screen (consents with their state, her open referrals), the referral
//! read-back and the information categories' words. One-line calls into the
//! core, guarded so that no panic crosses.

use crate::error::parse_id;
use crate::guard::guarded;
use crate::vault::NightroundVault;
use crate::NightroundError;
use nightround_core::domain::{InfoCategory, InfoCategoryText, ReferralForm, TextField};
use nightround_core::vault::{
    ConcernsPage, ContactView, PersonScreen, ReferralReadBack, ReferralView, SupplyDropsPage,
    TonightScreen,
};
use nightround_core::Timestamp;
type R<T> = Result<T, NightroundError>;

#[uniffi::export]
impl NightroundVault {
    /// Tonight's screen in one call: the round's numbers since `since` and
    /// its contacts as display rows (alias, area and supply names), `limit`
    /// from `offset`, newest first; damaged records left out and named.
    pub fn tonight(&self, since: Timestamp, offset: u32, limit: u32) -> R<TonightScreen> {
        guarded(|| self.inner.tonight(since, offset, limit))
    }

    /// Every concern on this phone, newest first, anonymous ones and those
    /// without a team alert included, `limit` from `offset`.
    pub fn concerns_page(&self, offset: u32, limit: u32) -> R<ConcernsPage> {
        guarded(|| self.inner.concerns_page(offset, limit))
    }

    /// Supply drops (restocks, supplies left with partners), newest first.
    pub fn supply_drops_page(&self, offset: u32, limit: u32) -> R<SupplyDropsPage> {
        guarded(|| self.inner.supply_drops_page(offset, limit))
    }

    /// One contact, with its display row.
    pub fn contact(&self, id: String) -> R<ContactView> {
        guarded(|| -> R<_> { Ok(self.inner.contact(parse_id(&id)?)?) })
    }

    /// One referral, with the agency's name, her alias and whether it is
    /// overdue now.
    pub fn referral(&self, id: String) -> R<ReferralView> {
        guarded(|| -> R<_> { Ok(self.inner.referral(parse_id(&id)?)?) })
    }

    /// Her profile, her consents with their state now (valid, due for
    /// review, withdrawn) and her open referrals, in one call.
    pub fn person_screen(&self, person_id: String) -> R<PersonScreen> {
        guarded(|| -> R<_> { Ok(self.inner.person_screen(parse_id(&person_id)?)?) })
    }

    /// What to read back to her before she agrees: refused (`Invalid`) as
    /// saving the form would be; writes nothing.
    pub fn preview_referral_form(&self, form: ReferralForm) -> R<ReferralReadBack> {
        guarded(|| self.inner.preview_referral_form(&form))
    }
}

/// Every information category with its label and meaning, in the order
/// screens list them: the words the apps show, from the core.
#[uniffi::export]
pub fn info_categories() -> Vec<InfoCategoryText> {
    InfoCategory::ALL
        .into_iter()
        .map(InfoCategory::text)
        .collect()
}

/// One category's label and meaning.
#[uniffi::export]
pub fn info_category_text(category: InfoCategory) -> InfoCategoryText {
    category.text()
}

/// "4 hours", "3 days", "1 week": a service's committed response time in
/// the words the read-back uses, for the agency list before it.
#[uniffi::export]
pub fn response_time_words(hours: u32) -> String {
    nightround_core::vault::hours_words(hours)
}

/// The longest value the core accepts for a text field, in characters, so a
/// field can show how much room is left before the core refuses it.
#[uniffi::export]
pub fn text_field_max_chars(field: TextField) -> u32 {
    u32::try_from(field.max_chars()).unwrap_or(u32::MAX)
}
