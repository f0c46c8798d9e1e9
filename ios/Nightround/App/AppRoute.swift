import NightroundCore
import SwiftUI

/// Every screen that can be pushed onto a tab's navigation stack. One list
/// for all tabs, so any screen can open any other (a person from tonight's
/// list, a referral from a contact) without a second way of getting there.
enum AppRoute: Hashable {
    case newContact(personId: Uuid?)
    case concern
    case person(Uuid)
    case referral(personId: Uuid)
    case sync
    case changePin
    case round
    case editPerson(Uuid)
    case restock
    case duressPin
}

extension View {
    /// Registers the pushed screens on a tab's stack.
    func appDestinations(gateway: VaultGateway) -> some View {
        navigationDestination(for: AppRoute.self) { route in
            AppDestination(route: route, gateway: gateway)
        }
    }
}

/// The screen for a route.
private struct AppDestination: View {
    let route: AppRoute
    let gateway: VaultGateway

    var body: some View {
        switch route {
        case .newContact(let personId):
            QuickContactScreen(gateway: gateway, personId: personId)
        case .concern:
            ConcernScreen(gateway: gateway)
        case .person(let id):
            PersonScreen(gateway: gateway, personId: id)
        case .referral(let personId):
            ReferralFormScreen(gateway: gateway, personId: personId)
        case .sync:
            SyncScreen(gateway: gateway)
        case .changePin:
            ChangePinScreen(gateway: gateway)
        case .round:
            LoneWorkerRoundScreen(gateway: gateway)
        case .editPerson(let id):
            PersonEditScreen(gateway: gateway, personId: id)
        case .restock:
            RestockScreen(gateway: gateway)
        case .duressPin:
            DuressPinScreen(gateway: gateway)
        }
    }
}
