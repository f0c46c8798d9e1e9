import NightroundCore
import SwiftUI

/// Supplies only: why, where, how many. Reached from Tonight.
struct RestockScreen: View {
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: RestockModel

    init(gateway: VaultGateway) {
        _model = State(initialValue: RestockModel(gateway: gateway))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                Card("Why") {
                    FlowLayout {
                        ForEach(SupplyPurpose.allCases, id: \.self) { purpose in
                            Chip(title: purpose.label, isOn: model.purpose == purpose) {
                                model.purpose = purpose
                            }
                        }
                    }
                }
                Card("Where") {
                    FlowLayout {
                        ForEach(model.areas) { area in
                            Chip(title: area.name, isOn: model.areaId == area.id) {
                                model.areaId = area.id
                            }
                        }
                    }
                }
                Card("How many") {
                    FlowLayout {
                        ForEach(model.supplies) { item in
                            SupplyCounter(
                                name: item.name,
                                count: model.counts[item.id] ?? 0,
                                onAdd: { model.add(item.id) },
                                onRemove: { model.add(item.id, -1) }
                            )
                        }
                    }
                    if model.supplies.contains(where: { $0.id == "condoms" }) {
                        Button("+10 condoms") {
                            model.add("condoms", 10)
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Add ten condoms")
                    }
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("Supplies only")
        .bottomActions {
            Button(model.isSaving ? "Saving…" : "Save") {
                Task {
                    if await model.save() {
                        app.changesSaved()
                        dismiss()
                    }
                }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isSaving || model.total == 0 || model.areaId.isEmpty)
            .accessibilityLabel("Save \(model.total) items given out without a contact")
        }
        .task {
            await model.load()
        }
    }
}
