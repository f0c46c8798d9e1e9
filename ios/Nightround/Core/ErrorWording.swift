import Foundation
import NightroundCore

/// Turns what the core reports into plain words for the screen. It decides
/// nothing: refusals of what she entered come with the core's own wording
/// (`Invalid.detail`), which is written to be shown as is.
///
/// The switch is exhaustive on purpose: a new error in the core stops the
/// build until someone has written words for it.
enum ErrorWording {
    static func describe(_ error: Error) -> String {
        guard let error = error as? NightroundError else {
            return String(localized: "Something went wrong on this phone. Nothing was changed.")
        }
        switch error {
        case .Locked:
            return String(localized: "Nightround locked itself. Enter your PIN to carry on.")
        case .WrongPin(let attemptsLeft):
            return wrongPin(attemptsLeft: attemptsLeft)
        case .TooSoon(let waitSeconds):
            return String(localized: "Unlocking was interrupted several times. Try again in \(Int(waitSeconds)) seconds. Nothing has been erased.")
        case .Shredded:
            return String(localized: "The records on this phone were erased. Anything that had already synced is safe with the team.")
        case .Invalid(let reason, let detail):
            return roundRefusal(reason) ?? sentence(detail)
        case .Damaged:
            return String(localized: "The records on this phone cannot be opened: the file is damaged. Ask your supervisor for help.")
        case .SchemaTooNew:
            return String(localized: "These records were written by a newer Nightround. Update the app to open them.")
        case .NotFound:
            return String(localized: "That record is no longer on this phone.")
        case .KeyStore(let detail):
            return String(localized: "The phone's key store did not answer: \(detail)")
        case .DiskFull:
            return String(localized: "The phone's storage is full, so nothing was saved. Free some space and try again.")
        case .Storage:
            return String(localized: "The phone could not save this. Try again.")
        case .AlreadyExists:
            return String(localized: "Nightround is already set up on this phone.")
        case .NoVault:
            return String(localized: "Nightround is not set up on this phone yet.")
        case .LeaseExpired:
            return String(localized: "This phone has not synced for too long. Connect to a network and sync to carry on.")
        case .NotEnrolled:
            return String(localized: "This phone is not linked to your team's server yet.")
        case .Revoked:
            return String(localized: "This phone's access was withdrawn, so the records on it were erased. Anything that had synced is safe with the team.")
        case .Offline:
            return String(localized: "No connection right now. Everything is kept on this phone and will go when there is signal.")
        case .ServerRefused(let detail):
            return String(localized: "The server did not accept it: \(detail)")
        case .Cancelled:
            return String(localized: "The sync was stopped. Everything is kept on this phone and will go next time.")
        case .Internal:
            return String(localized: "Something went wrong inside Nightround. Nothing was changed.")
        }
    }

    private static func wrongPin(attemptsLeft: UInt32) -> String {
        switch attemptsLeft {
        case 0:
            return String(localized: "That is not the PIN.")
        case 1:
            return String(localized: "That is not the PIN. One more wrong PIN erases the records on this phone.")
        default:
            return String(localized: "That is not the PIN. \(Int(attemptsLeft)) more wrong PINs erase the records on this phone.")
        }
    }

    /// The lone-worker round's refusals, worded for someone alone on a street
    /// at night: what to do next, not what went wrong. Every other refusal
    /// keeps the core's own words.
    private static func roundRefusal(_ reason: ValidationError) -> String? {
        switch reason {
        case .checkInIntervalOutOfRange(let min, let max):
            return String(localized: "Choose a check-in time between \(Int(min)) and \(Int(max)) minutes.")
        case .roundEndInPast:
            return String(localized: "The end time has already passed. Choose a later time.")
        case .roundTooLong(let maxHours):
            return String(localized: "A round can last at most \(Int(maxHours)) hours. Choose an earlier end, and start a new round after it if you need to.")
        case .roundAlreadyOpen:
            return String(localized: "You already have a round open. Check in or end it from the round screen.")
        case .noOpenRound:
            return String(localized: "There is no round open. Start one to check in.")
        default:
            return nil
        }
    }

    /// The core's wording starts in lower case so it can sit inside a
    /// sentence; on its own line it starts with a capital and ends with a stop.
    private static func sentence(_ detail: String) -> String {
        guard let first = detail.first else { return detail }
        let capitalised = first.uppercased() + detail.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
