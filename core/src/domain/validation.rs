//! Typed validation errors and the bounds they enforce.
//!
//! A message is built from the field and the bound, never from the value, so
//! that an error can be logged or shown without leaking what she said.

/// The bounded free-text fields, named so that a screen can point at one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum TextField {
    Alias,
    Description,
    KeyWorker,
    Note,
    Needs,
    ConcernDescription,
    VehicleMake,
    VehicleColour,
    VehicleRegistration,
}

impl TextField {
    /// The longest value accepted, in characters. Notes are short on purpose:
    /// a round record is a prompt for memory, not a case file.
    pub const fn max_chars(self) -> usize {
        match self {
            TextField::Alias => 60,
            TextField::Description => 280,
            TextField::KeyWorker => 80,
            TextField::Note => 500,
            TextField::Needs => 1000,
            TextField::ConcernDescription => 1000,
            TextField::VehicleMake | TextField::VehicleColour => 40,
            TextField::VehicleRegistration => 10,
        }
    }

    /// The words a screen shows for this field.
    pub const fn label(self) -> &'static str {
        match self {
            TextField::Alias => "known as",
            TextField::Description => "description",
            TextField::KeyWorker => "key worker",
            TextField::Note => "note",
            TextField::Needs => "what she needs",
            TextField::ConcernDescription => "description of the man",
            TextField::VehicleMake => "vehicle make",
            TextField::VehicleColour => "vehicle colour",
            TextField::VehicleRegistration => "part of the registration",
        }
    }
}

/// Why a draft was refused. Each variant maps to one message on the phone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum ValidationError {
    #[error("a name she is known by is needed")]
    EmptyAlias,
    #[error("{} is longer than {} characters", .0.label(), .0.max_chars())]
    TextTooLong(TextField),
    #[error("{} is needed", .0.label())]
    Required(TextField),
    #[error("the year of birth is not plausible")]
    BirthYearOutOfRange,
    #[error("the area is not in the area list")]
    UnknownArea,
    #[error("the item is not in the supplies catalogue")]
    UnknownSupplyItem,
    #[error("a quantity must be at least 1")]
    ZeroQuantity,
    #[error("a quantity above {max} is not plausible")]
    QuantityTooLarge { max: u32 },
    #[error("the same item is listed twice")]
    DuplicateSupplyItem,
    #[error("at least one item is needed")]
    NoSupplies,
    #[error("the agency is not in the directory")]
    UnknownAgency,
    #[error("no agency was chosen")]
    NoAgencies,
    #[error("she has not consented to a referral to this agency")]
    NoConsentForAgency,
    #[error("her consent for this agency is past its review date")]
    ConsentExpired,
    #[error("she has withdrawn her consent for this agency")]
    ConsentWithdrawn,
    #[error("consent must say what information it covers")]
    ConsentCoversNothing,
    #[error("the review date must be in the future")]
    ReviewDateInPast,
    #[error("the consent is already withdrawn")]
    ConsentAlreadyWithdrawn,
    #[error("she may be under 18: the safeguarding prompt must be acknowledged")]
    SafeguardingNotAcknowledged,
    #[error("this kind of contact cannot be recorded in this role")]
    ContactKindNotAllowed,
    #[error("an alert must end in the future")]
    AlertEndInPast,
    #[error("an alert can last at most {max_days} days")]
    AlertTooLong { max_days: u32 },
    #[error("the time is too far in the future")]
    TimeInFuture,
    #[error("a referral cannot move from {} to {}", .from.as_str(), .to.as_str())]
    InvalidStatusChange {
        from: super::referral::ReferralStatus,
        to: super::referral::ReferralStatus,
    },
    #[error("the person is not known on this phone")]
    UnknownPerson,
    #[error("a PIN needs at least {min} digits")]
    PinTooShort { min: u32 },
    #[error("a PIN is digits only")]
    PinNotDigits,
    #[error("the duress PIN must differ from the PIN")]
    DuressPinIsPin,
    #[error("a phone keeps records between {min} and {max} days")]
    PhoneWindowOutOfRange { min: u32, max: u32 },
    #[error("check-ins must be between {min} and {max} minutes apart")]
    CheckInIntervalOutOfRange { min: u32, max: u32 },
    #[error("the round must end in the future")]
    RoundEndInPast,
    #[error("a round can last at most {max_hours} hours")]
    RoundTooLong { max_hours: u32 },
    #[error("a round is already open on this phone; end it first")]
    RoundAlreadyOpen,
    #[error("there is no open round with that id on this phone")]
    NoOpenRound,
    #[error("that is not a record id")]
    MalformedId,
    #[error("the idle timeout and the wrong-PIN limit must each be at least 1")]
    LockPolicyOutOfRange,
    #[error("the server address must be an https:// or http:// URL")]
    NotAUrl,
    #[error("the buddy is not on the team")]
    BuddyNotOnTeam,
    #[error("that is not a Nightround enrolment code; type the code instead")]
    NotAnEnrolmentCode,
}

/// How far ahead of the receiver's clock a time or a version may be, in
/// milliseconds: five minutes of phone clock drift. The server refuses a
/// version further ahead (the phone's clock is wrong), a phone's clock never
/// adopts a remote time further ahead of its own, and a record's times may
/// not be further in the future. One constant for all three.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// [`MAX_CLOCK_SKEW_MS`] as a duration.
pub fn max_clock_skew() -> chrono::Duration {
    chrono::Duration::milliseconds(MAX_CLOCK_SKEW_MS)
}

/// Refuses a time further in the future than the clock skew allows.
pub fn not_in_future(at: crate::Timestamp, now: crate::Timestamp) -> Result<(), ValidationError> {
    if at > now + max_clock_skew() {
        Err(ValidationError::TimeInFuture)
    } else {
        Ok(())
    }
}

/// Checks a stored record's text exactly as the form would have left it:
/// within its bound (the form trims; a record is checked as it is).
pub fn stored_text(
    field: TextField,
    value: Option<&str>,
    required: bool,
) -> Result<(), ValidationError> {
    match value {
        None | Some("") if required => Err(if field == TextField::Alias {
            ValidationError::EmptyAlias
        } else {
            ValidationError::Required(field)
        }),
        None => Ok(()),
        Some(v) if required && v.trim().is_empty() => Err(if field == TextField::Alias {
            ValidationError::EmptyAlias
        } else {
            ValidationError::Required(field)
        }),
        Some(v) => bounded(field, v).map(|_| ()),
    }
}

/// Trims and bounds a required text field.
pub fn required_text(field: TextField, value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(if field == TextField::Alias {
            ValidationError::EmptyAlias
        } else {
            ValidationError::Required(field)
        });
    }
    bounded(field, trimmed).map(str::to_owned)
}

/// Trims and bounds an optional text field; blank becomes `None`.
pub fn optional_text(
    field: TextField,
    value: Option<&str>,
) -> Result<Option<String>, ValidationError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v).map(|v| Some(v.to_owned())),
    }
}

fn bounded(field: TextField, value: &str) -> Result<&str, ValidationError> {
    if value.chars().count() > field.max_chars() {
        Err(ValidationError::TextTooLong(field))
    } else {
        Ok(value)
    }
}

/// The shortest PIN accepted.
pub const MIN_PIN_DIGITS: u32 = 6;

/// A PIN is six or more digits: quick to enter in the dark, and the keystore
/// secret and Argon2id together carry the weight a longer passphrase would.
pub fn check_pin(pin: &str) -> Result<(), ValidationError> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(ValidationError::PinNotDigits);
    }
    if pin.len() < MIN_PIN_DIGITS as usize {
        return Err(ValidationError::PinTooShort {
            min: MIN_PIN_DIGITS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(
            required_text(TextField::Alias, "  Jade "),
            Ok("Jade".into())
        );
        assert_eq!(
            required_text(TextField::Alias, "   "),
            Err(ValidationError::EmptyAlias)
        );
        assert_eq!(
            required_text(TextField::Needs, ""),
            Err(ValidationError::Required(TextField::Needs))
        );
        let sixty_accented = "é".repeat(60);
        assert!(required_text(TextField::Alias, &sixty_accented).is_ok());
        assert_eq!(
            required_text(TextField::Alias, &"é".repeat(61)),
            Err(ValidationError::TextTooLong(TextField::Alias))
        );
        assert_eq!(optional_text(TextField::Note, Some("  ")), Ok(None));
        assert_eq!(
            optional_text(TextField::Note, Some(&"x".repeat(501))),
            Err(ValidationError::TextTooLong(TextField::Note))
        );
    }

    #[test]
    fn messages_name_the_field_not_the_value() {
        let e = required_text(TextField::Note, &"secret ".repeat(100)).unwrap_err();
        assert_eq!(e.to_string(), "note is longer than 500 characters");
    }

    #[test]
    fn pins() {
        assert!(check_pin("123456").is_ok());
        assert_eq!(
            check_pin("12345"),
            Err(ValidationError::PinTooShort { min: 6 })
        );
        assert_eq!(check_pin("12345a"), Err(ValidationError::PinNotDigits));
    }
}
