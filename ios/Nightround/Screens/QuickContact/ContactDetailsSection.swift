import NightroundCore
import SwiftUI

/// The quick-contact details one tap further: how she seemed, the kind of
/// contact, a note, and a referral for her (which needs to know who she is).
struct ContactDetailsSection: View {
    @Bindable var model: QuickContactModel

    var body: some View {
        Card("How she seemed") {
            FlowLayout {
                ForEach(WellbeingFlag.allCases, id: \.self) { flag in
                    Chip(title: flag.label, isOn: model.wellbeing.contains(flag)) {
                        model.toggle(flag)
                    }
                }
            }
        }
        Card("Kind of contact") {
            FlowLayout {
                ForEach(ContactKind.allCases, id: \.self) { kind in
                    Chip(title: kind.label, isOn: model.kind == kind) {
                        model.kind = kind
                    }
                }
            }
        }
        Card("Note") {
            PlainField(String(localized: "What she wants the team to know"), text: $model.note, capitalization: .sentences, multiline: true)
        }
        Card("Referral") {
            if let person = model.who.chosen {
                NavigationLink(value: AppRoute.referral(personId: person.id)) {
                    Text("Refer \(person.alias) to a service")
                }
                .buttonStyle(SecondaryButtonStyle())
                .accessibilityLabel("Refer \(person.alias) to a service")
            } else {
                Text("Choose who she is above to make a referral.")
                    .foregroundStyle(Theme.secondaryText)
            }
        }
    }
}
