import NightroundCore
import SwiftUI

// The words screens show for the core's enums. Wording follows the
// partnership's rule that records must not judge: they say what was seen or
// what happened, never what she "is". The switches are exhaustive so a new
// case in the core cannot appear on screen without words.

extension ConcernCategory {
    var label: String {
        switch self {
        case .physicalViolence: return String(localized: "Physical violence")
        case .sexualViolence: return String(localized: "Sexual violence")
        case .robbery: return String(localized: "Robbery")
        case .threats: return String(localized: "Threats")
        case .stalking: return String(localized: "Followed or watched")
        case .dangerousVehicle: return String(localized: "Dangerous driver or vehicle")
        case .spiking: return String(localized: "Spiking")
        case .exploitation: return String(localized: "Exploitation")
        case .other: return String(localized: "Something else")
        }
    }
}

extension Severity {
    var label: String {
        switch self {
        case .low: return String(localized: "Low")
        case .medium: return String(localized: "Medium")
        case .high: return String(localized: "High")
        }
    }
}

extension WellbeingFlag {
    var label: String {
        switch self {
        case .intoxicated: return String(localized: "Affected by drink or drugs")
        case .injured: return String(localized: "Injured")
        case .distressed: return String(localized: "Upset")
        case .unwell: return String(localized: "Unwell")
        case .firstContact: return String(localized: "First time we've met")
        case .appearsUnder18: return String(localized: "May be under 18")
        }
    }
}

extension ContactKind {
    var label: String {
        switch self {
        case .outreachConversation: return String(localized: "Outreach conversation")
        case .policeWelfareCheck: return String(localized: "Welfare check")
        case .dropInVisit: return String(localized: "Drop-in visit")
        case .phone: return String(localized: "Phone call")
        }
    }
}

extension InfoCategory {
    /// The core's words for the category (`infoCategoryText`), so both apps
    /// and the data dictionary say the same thing.
    var label: String {
        infoCategoryText(category: self).label
    }
}

extension Urgency {
    var label: String {
        switch self {
        case .red: return String(localized: "Red: urgent")
        case .amber: return String(localized: "Amber: soon")
        case .green: return String(localized: "Green: when they can")
        }
    }

    var colour: Color {
        switch self {
        case .red: return Theme.danger
        case .amber: return Theme.accent
        case .green: return Theme.calm
        }
    }
}

extension SupplyPurpose {
    var label: String {
        switch self {
        case .restockDropPoint: return String(localized: "Topped up the drop box")
        case .leftWithPartner: return String(localized: "Left with a partner or hostel")
        case .handedOut: return String(localized: "Handed out, no conversation")
        }
    }
}

extension ReferralStatus {
    var label: String {
        switch self {
        case .draft: return String(localized: "Not sent yet")
        case .queued: return String(localized: "Waiting to send")
        case .sent: return String(localized: "Sent")
        case .acknowledged: return String(localized: "Agency has it")
        case .accepted: return String(localized: "Accepted")
        case .declined: return String(localized: "Agency could not help")
        case .closed: return String(localized: "Closed")
        }
    }
}

extension ConsentMethod {
    var label: String {
        switch self {
        case .verbal: return String(localized: "She said so")
        case .written: return String(localized: "She signed")
        }
    }
}

extension NightroundCore.Role {
    var label: String {
        switch self {
        case .outreachWorker: return String(localized: "Outreach worker")
        case .policeOfficer: return String(localized: "Police officer")
        case .supervisor: return String(localized: "Supervisor")
        case .receivingAgency: return String(localized: "Receiving agency")
        }
    }
}
