import NightroundCore
import SwiftUI

/// Whether the team has her records: what is waiting to send, the last time
/// it worked, the last problem in plain words, and "Sync now".
struct SyncScreen: View {
    @Environment(AppModel.self) private var app
    @State private var model: SyncModel

    init(gateway: VaultGateway) {
        _model = State(initialValue: SyncModel(gateway: gateway))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                if let result = model.result {
                    Text(result)
                        .foregroundStyle(Theme.text)
                        .padding(Theme.spacing)
                        .frame(maxWidth: .infinity, alignment: .leading)
                        .background(Theme.raised, in: RoundedRectangle(cornerRadius: Theme.corner))
                }
                Card("Connection") {
                    Text(app.isOnline
                         ? String(localized: "Connected.")
                         : String(localized: "No signal. Everything is kept on this phone and goes when there is signal."))
                        .foregroundStyle(Theme.text)
                }
                if let content = model.content {
                    status(content)
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("Sync")
        .bottomActions {
            Button(model.isSyncing ? "Syncing…" : "Sync now") {
                Task { await model.syncNow { await app.syncNow() } }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isSyncing)
            .accessibilityLabel("Sync now")
        }
        .task(id: app.dataVersion) {
            await model.load()
        }
    }

    @ViewBuilder
    private func status(_ content: SyncContent) -> some View {
        let status = content.status
        Card("Waiting to send") {
            Text(status.pending == 0 ? String(localized: "Nothing: the team has everything.") : String(localized: "\(Int(status.pending)) changes"))
                .foregroundStyle(Theme.text)
        }
        Card("Last synced") {
            Text(status.lastSuccess.map { $0.formatted(date: .abbreviated, time: .shortened) } ?? String(localized: "Not yet"))
                .foregroundStyle(Theme.text)
        }
        if let lastError = status.lastError {
            Card("Last problem") {
                Text(lastError)
                    .foregroundStyle(Theme.danger)
            }
        }
        if let leaseExpires = status.leaseExpires {
            Card("Sync before") {
                Text(leaseExpires.formatted(date: .abbreviated, time: .shortened))
                    .foregroundStyle(Theme.text)
                Text("After this the phone stops recording until it syncs.")
                    .font(.subheadline)
                    .foregroundStyle(Theme.secondaryText)
            }
        }
        if status.quarantined > 0 {
            Card("Held back by the server") {
                Text("\(Int(status.quarantined)) changes were not accepted and are kept here:")
                    .foregroundStyle(Theme.text)
                ForEach(content.heldBack, id: \.self) { reason in
                    Text(reason)
                        .foregroundStyle(Theme.secondaryText)
                }
            }
        }
        if !status.enrolled {
            ProblemText(ErrorWording.describe(NightroundError.NotEnrolled))
        }
    }
}
