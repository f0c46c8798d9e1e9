import NightroundCore
import SwiftUI

/// Everyone on this phone, found by the name she is known by; each opens her
/// record (timeline, consents, open referrals).
struct PeopleScreen: View {
    private let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var search: PersonSearch
    @State private var path: [AppRoute] = []

    init(gateway: VaultGateway) {
        self.gateway = gateway
        _search = State(initialValue: PersonSearch(gateway: gateway))
    }

    var body: some View {
        NavigationStack(path: $path) {
            ScrollView {
                LazyVStack(alignment: .leading, spacing: 10) {
                    PlainField(String(localized: "Name she is known by"), text: $search.query)
                    if let problem = search.problem {
                        ProblemText(problem)
                    }
                    if search.matches.isEmpty {
                        Text(search.query.isEmpty ? "Nobody is recorded on this phone yet." : "Nobody by that name on this phone.")
                            .foregroundStyle(Theme.secondaryText)
                            .padding(.vertical, 8)
                    }
                    ForEach(search.matches) { person in
                        NavigationLink(value: AppRoute.person(person.id)) {
                            HStack {
                                Text(person.alias)
                                    .font(.title3)
                                    .foregroundStyle(Theme.text)
                                Spacer()
                                Image(systemName: "chevron.right")
                                    .foregroundStyle(Theme.secondaryText)
                                    .accessibilityHidden(true)
                            }
                            .padding(.horizontal, Theme.spacing)
                            .frame(minHeight: Theme.minTouch)
                            .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
                        }
                        .buttonStyle(.plain)
                        .accessibilityLabel(person.alias)
                        .accessibilityHint("Opens her record")
                    }
                }
                .padding(Theme.spacing)
            }
            .screenChrome("People")
            .bottomActions {
                Button {
                    path.append(.newContact(personId: nil))
                } label: {
                    Label("New contact", systemImage: "plus")
                }
                .buttonStyle(PrimaryButtonStyle())
                .accessibilityLabel("New contact")
            }
            .appDestinations(gateway: gateway)
            .task(id: SearchKey(query: search.query, version: app.dataVersion)) {
                if search.query.isEmpty {
                    await search.loadEveryone()
                } else {
                    await search.searchAfterPause()
                }
            }
        }
    }

    /// Reload when the query changes or the data does.
    private struct SearchKey: Equatable {
        let query: String
        let version: Int
    }
}
