//! What makes a directory acceptable before phones receive it: every agency,
//! area and supply item has a unique id and a name, and every agency a
//! response time for each urgency that gets no slower as urgency rises.
//! A phone shows the directory as the leaflet and fills forms from it, so a
//! blank or duplicated entry would reach every worker.

use nightround_core::domain::Directory;

/// The longest response time accepted (a month), in hours.
pub const MAX_RESPONSE_HOURS: u32 = 31 * 24;

/// Why a directory was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory could not be read: {0}")]
    Malformed(String),
    #[error("the directory lists no agency")]
    NoAgencies,
    #[error("the directory lists no area")]
    NoAreas,
    #[error("{0} with a blank id")]
    BlankId(&'static str),
    #[error("{what} `{id}` has no name")]
    Unnamed { what: &'static str, id: String },
    #[error("{what} `{id}` is listed twice")]
    Duplicate { what: &'static str, id: String },
    #[error("agency `{0}`: response times must be 1 to {MAX_RESPONSE_HOURS} hours, red no slower than amber, amber no slower than green")]
    ResponseTimes(String),
}

/// Reads and checks a directory from JSON (a file, the dashboard).
pub fn from_json(text: &str) -> Result<Directory, DirectoryError> {
    let dir: Directory =
        serde_json::from_str(text).map_err(|e| DirectoryError::Malformed(e.to_string()))?;
    check(&dir)?;
    Ok(dir)
}

/// Checks a directory is whole and consistent.
pub fn check(dir: &Directory) -> Result<(), DirectoryError> {
    if dir.agencies.is_empty() {
        return Err(DirectoryError::NoAgencies);
    }
    if dir.areas.is_empty() {
        return Err(DirectoryError::NoAreas);
    }
    let agencies = dir
        .agencies
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()));
    let areas = dir.areas.iter().map(|a| (a.id.as_str(), a.name.as_str()));
    let supplies = dir
        .supplies
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()));
    entries("an agency", agencies)?;
    entries("an area", areas)?;
    entries("a supply item", supplies)?;
    for a in &dir.agencies {
        let r = a.response;
        let in_range = |h: u32| (1..=MAX_RESPONSE_HOURS).contains(&h);
        if !(in_range(r.red_hours) && in_range(r.amber_hours) && in_range(r.green_hours))
            || r.red_hours > r.amber_hours
            || r.amber_hours > r.green_hours
        {
            return Err(DirectoryError::ResponseTimes(a.id.clone()));
        }
    }
    Ok(())
}

fn entries<'a>(
    what: &'static str,
    list: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<(), DirectoryError> {
    let mut seen = std::collections::HashSet::new();
    for (id, name) in list {
        if id.trim().is_empty() {
            return Err(DirectoryError::BlankId(what));
        }
        if name.trim().is_empty() {
            return Err(DirectoryError::Unnamed {
                what,
                id: id.to_owned(),
            });
        }
        if !seen.insert(id) {
            return Err(DirectoryError::Duplicate {
                what,
                id: id.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_passes_and_each_fault_is_named() {
        let good = Directory::southend_defaults();
        check(&good).unwrap();

        let mut d = good.clone();
        d.agencies[1].id = d.agencies[0].id.clone();
        assert!(matches!(
            check(&d),
            Err(DirectoryError::Duplicate {
                what: "an agency",
                ..
            })
        ));

        let mut d = good.clone();
        d.areas[0].name = "  ".into();
        assert!(matches!(
            check(&d),
            Err(DirectoryError::Unnamed {
                what: "an area",
                ..
            })
        ));

        let mut d = good.clone();
        d.supplies[0].id = String::new();
        assert_eq!(check(&d), Err(DirectoryError::BlankId("a supply item")));

        let mut d = good.clone();
        d.agencies[0].response.red_hours = d.agencies[0].response.green_hours + 1;
        assert!(matches!(check(&d), Err(DirectoryError::ResponseTimes(_))));

        let mut d = good.clone();
        d.agencies[0].response.red_hours = 0;
        assert!(matches!(check(&d), Err(DirectoryError::ResponseTimes(_))));

        let mut d = good;
        d.agencies.clear();
        assert_eq!(check(&d), Err(DirectoryError::NoAgencies));

        assert!(matches!(from_json("{"), Err(DirectoryError::Malformed(_))));
    }
}
