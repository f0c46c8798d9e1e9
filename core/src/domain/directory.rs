//! The directory: agencies (the women's "leaflet"), the area list and the
//! supplies catalogue. It is data, not code: the server sends the
//! partnership's own; the defaults below seed a new phone and the demo.

use super::referral::Urgency;
use serde::{Deserialize, Serialize};

/// How quickly an agency has committed to respond, per urgency colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ResponseTimes {
    pub red_hours: u32,
    pub amber_hours: u32,
    pub green_hours: u32,
}

impl Default for ResponseTimes {
    /// The universal referral form's defaults: red 24 h, amber 72 h, green 7 days.
    fn default() -> Self {
        Self {
            red_hours: 24,
            amber_hours: 72,
            green_hours: 7 * 24,
        }
    }
}

impl ResponseTimes {
    pub fn for_urgency(&self, urgency: Urgency) -> chrono::Duration {
        let hours = match urgency {
            Urgency::Red => self.red_hours,
            Urgency::Amber => self.amber_hours,
            Urgency::Green => self.green_hours,
        };
        chrono::Duration::hours(i64::from(hours))
    }
}

/// One service in the partnership, as the leaflet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub offers: String,
    pub address: String,
    pub opening_times: String,
    pub phone: String,
    pub response: ResponseTimes,
    /// Whether the police may be told of this agency's referrals.
    pub is_police: bool,
    /// Contact details invented for demo data, to be replaced by the real ones.
    pub example_details: bool,
}

/// A named street area: where, without GPS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Area {
    pub id: String,
    pub name: String,
}

/// An item outreach hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyItem {
    pub id: String,
    pub name: String,
}

/// Everything a phone needs to fill in forms and show the leaflet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Directory {
    /// Bumped by the server each time the partnership edits it.
    pub revision: u32,
    pub agencies: Vec<Agency>,
    pub areas: Vec<Area>,
    pub supplies: Vec<SupplyItem>,
}

impl Directory {
    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }
    pub fn supply(&self, id: &str) -> Option<&SupplyItem> {
        self.supplies.iter().find(|s| s.id == id)
    }

    /// The Southend partnership's services, areas and supplies, with invented
    /// addresses, numbers and hours marked as examples.
    pub fn southend_defaults() -> Self {
        let rt = ResponseTimes::default();
        let agency =
            |id: &str, name: &str, offers: &str, address: &str, hours: &str, phone: &str| Agency {
                id: id.into(),
                name: name.into(),
                offers: offers.into(),
                address: address.into(),
                opening_times: hours.into(),
                phone: phone.into(),
                response: rt,
                is_police: false,
                example_details: true,
            };
        let mut agencies = vec![
            agency("aspirations", "Aspirations", "Outreach and the Thursday women-only drop-in; founded by a woman with lived experience", "12 Example Street, Southend", "Drop-in Thu 12:00-16:00; outreach evenings", "01702 000101"),
            agency("vineyard", "The Vineyard", "Evening outreach, food and hot drinks", "The Vineyard, Example Road, Southend", "Outreach Tue and Fri evenings", "01702 000102"),
            agency("storehouse", "The Storehouse", "Food, clothing and a warm place", "3 Example Lane, Southend", "Mon-Fri 11:00-15:00", "01702 000103"),
            agency("stars", "STARS (Southend Treatment and Recovery Service)", "Drug and alcohol support, including women-only sessions", "45 Example Avenue, Southend", "Mon-Fri 10:00-17:00; women-only Wed 13:00-15:00", "01702 000104"),
            agency("cgl", "Change Grow Live", "Drug and alcohol recovery and harm reduction", "8 Example Parade, Southend", "Mon-Fri 09:30-17:00", "01702 000105"),
            agency("harp", "HARP", "Help for people who are homeless", "HARP Centre, Example Street, Southend", "Daily 09:00-17:00", "01702 000106"),
            agency("housing_solutions", "Housing Solutions", "Council housing advice and homelessness applications", "Civic Centre (example), Southend", "Mon-Fri 09:00-17:00; afternoon appointments", "01702 000107"),
            agency("rsmh", "Rough Sleeping Mental Health team", "Mental health support for people sleeping rough", "Outreach across Southend", "Mon-Fri 09:00-17:00", "01702 000108"),
            agency("tht", "Terrence Higgins Trust", "Sexual health advice and testing", "20 Example Road, Southend", "Tue and Thu 13:00-18:00", "01702 000109"),
            agency("sexual_health", "Southend sexual health service", "Fast-tracked assessment and home STI testing", "Example Clinic, Southend", "Mon-Fri 12:00-19:00", "01702 000110"),
            agency("sos_rape_crisis", "SOS Rape Crisis", "Support after rape or sexual abuse", "Confidential address", "Helpline daily 10:00-22:00", "01702 000111"),
            agency("oakwood_place", "Oakwood Place SARC", "Sexual assault referral centre: forensic and medical care", "Oakwood Place (example), Essex", "24 hours", "01702 000112"),
            agency("safe_steps", "Safe Steps", "Domestic abuse support and refuge", "Confidential address", "Helpline 24 hours", "01702 000113"),
            agency("peabody", "Peabody Floating Support", "Support to keep a tenancy", "Example House, Southend", "Mon-Fri 09:00-17:00", "01702 000114"),
            agency("probation", "Probation", "Probation appointments, with a weekly drop-in at Aspirations", "Example Court, Southend", "Mon-Fri 09:00-17:00; Aspirations drop-in Thu", "01702 000115"),
            agency("adult_social_care", "Adult Social Care", "Care and safeguarding assessments", "Civic Centre (example), Southend", "Mon-Fri 09:00-17:00", "01702 000116"),
            agency("nurse_prescriber", "Nurse prescriber at the drop-in", "Primary care and prescribing at the Aspirations drop-in", "At Aspirations", "Thu 12:00-16:00", "01702 000117"),
        ];
        agencies.push(Agency {
            is_police: true,
            response: ResponseTimes {
                red_hours: 4,
                amber_hours: 48,
                green_hours: 7 * 24,
            },
            ..agency(
                "essex_police",
                "Essex Police",
                "Reporting a crime; welfare and safety",
                "Southend Police Station (example)",
                "24 hours; emergency 999",
                "101",
            )
        });
        let areas = [
            ("york_road", "York Road"),
            ("ambleside_drive", "Ambleside Drive"),
            ("town_centre", "Town centre"),
            ("seafront", "Seafront"),
            ("drop_in", "At the drop-in"),
            ("elsewhere", "Elsewhere"),
        ]
        .into_iter()
        .map(|(id, name)| Area {
            id: id.into(),
            name: name.into(),
        })
        .collect();
        let supplies = [
            ("condoms", "Condoms"),
            ("lubricant", "Lubricant"),
            ("hygiene_pack", "Hygiene pack"),
            ("face_covering", "Face covering"),
            ("food_drink", "Food or hot drink"),
            ("clothing", "Clothing"),
            ("personal_alarm", "Personal alarm"),
            ("naloxone", "Naloxone kit"),
            ("sharps_bin", "Sharps bin"),
            ("leaflet", "Leaflet"),
            ("phone_credit", "Phone credit"),
        ]
        .into_iter()
        .map(|(id, name)| SupplyItem {
            id: id.into(),
            name: name.into(),
        })
        .collect();
        Directory {
            revision: 1,
            agencies,
            areas,
            supplies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_complete_and_unique() {
        let d = Directory::southend_defaults();
        assert!(d.area("york_road").is_some() && d.area("ambleside_drive").is_some());
        assert_eq!(d.supplies.len(), 11);
        let mut ids: Vec<_> = d.agencies.iter().map(|a| a.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), d.agencies.len());
        assert!(d.agencies.iter().all(|a| a.example_details));
        let stars = d.agency("stars").unwrap();
        assert_eq!(
            stars.response.for_urgency(Urgency::Red),
            chrono::Duration::hours(24)
        );
        assert_eq!(
            stars.response.for_urgency(Urgency::Green),
            chrono::Duration::days(7)
        );
    }
}
