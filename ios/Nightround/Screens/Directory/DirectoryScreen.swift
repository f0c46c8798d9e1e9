import NightroundCore
import SwiftUI

/// Who can help, as a leaflet she can be shown on the spot; each phone number
/// calls with one tap.
struct DirectoryScreen: View {
    private let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var model: DirectoryModel

    init(gateway: VaultGateway) {
        self.gateway = gateway
        _model = State(initialValue: DirectoryModel(gateway: gateway))
    }

    var body: some View {
        NavigationStack {
            ScrollView {
                LazyVStack(alignment: .leading, spacing: Theme.spacing) {
                    if let problem = model.problem {
                        ProblemText(problem)
                    }
                    ForEach(model.agencies) { agency in
                        AgencyCard(agency: agency)
                    }
                }
                .padding(Theme.spacing)
            }
            .screenChrome("Services")
            .appDestinations(gateway: gateway)
            .task(id: app.dataVersion) {
                await model.load()
            }
        }
    }
}
