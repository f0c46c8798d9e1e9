import SwiftUI

/// The home screen of a round: how the round is going, who has been seen,
/// and one large button at the bottom to record a new contact.
struct TonightScreen: View {
    private let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var model: TonightModel
    @State private var path: [AppRoute] = []

    init(gateway: VaultGateway) {
        self.gateway = gateway
        _model = State(initialValue: TonightModel(gateway: gateway))
    }

    var body: some View {
        NavigationStack(path: $path) {
            ScrollView {
                LazyVStack(alignment: .leading, spacing: Theme.spacing) {
                    if let notice = app.notice {
                        NoticeBanner(text: notice, actionTitle: String(localized: "Open sync")) {
                            path.append(.sync)
                        }
                    }
                    if let problem = model.problem {
                        ProblemText(problem)
                    }
                    RoundEntryCard(round: app.openRound) {
                        path.append(.round)
                    }
                    if let content = model.content {
                        SyncPill(pending: content.pending, lastSync: content.lastSync, isOnline: app.isOnline) {
                            path.append(.sync)
                        }
                        RoundSummaryCard(summary: content.summary)
                        contacts(content.rows)
                    } else if model.problem == nil {
                        ProgressView()
                            .frame(maxWidth: .infinity)
                            .accessibilityLabel("Loading tonight's round")
                    }
                }
                .padding(Theme.spacing)
            }
            .refreshable {
                await app.syncNow()
                await model.load()
            }
            .screenChrome("Tonight")
            .bottomActions {
                Button {
                    path.append(.newContact(personId: nil))
                } label: {
                    Label("New contact", systemImage: "plus")
                }
                .buttonStyle(PrimaryButtonStyle())
                .accessibilityLabel("New contact")
                Button("Report a concern") {
                    path.append(.concern)
                }
                .buttonStyle(SecondaryButtonStyle())
                .accessibilityLabel("Report a concern")
                Button("Supplies only") {
                    path.append(.restock)
                }
                .buttonStyle(SecondaryButtonStyle())
                .accessibilityLabel("Supplies without a contact: topped up the drop box, left some with a hostel")
            }
            .appDestinations(gateway: gateway)
            .task(id: app.dataVersion) {
                await model.load()
            }
            .onChange(of: app.opening, initial: true) { _, opening in
                if opening == .round {
                    path = [.round]
                    app.openingHandled()
                }
            }
        }
    }

    @ViewBuilder
    private func contacts(_ rows: [TonightContent.Row]) -> some View {
        Card("Contacts tonight") {
            if rows.isEmpty {
                Text("No contacts recorded yet tonight.")
                    .foregroundStyle(Theme.secondaryText)
            } else {
                ForEach(rows) { row in
                    if let personId = row.personId {
                        NavigationLink(value: AppRoute.person(personId)) {
                            ContactRow(row: row)
                        }
                        .buttonStyle(.plain)
                        .accessibilityLabel(ContactRow.spoken(row))
                        .accessibilityHint("Opens her record")
                    } else {
                        ContactRow(row: row)
                    }
                }
            }
        }
    }
}
