import NightroundCore
import SwiftUI

/// Recording a contact in seconds, in the dark, one-handed: who (or
/// anonymous), where (defaulted), what was handed out; everything else is one
/// tap further. "Save contact" sits at the bottom, in thumb reach.
struct QuickContactScreen: View {
    private let personId: Uuid?
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: QuickContactModel

    init(gateway: VaultGateway, personId: Uuid?) {
        self.personId = personId
        _model = State(initialValue: QuickContactModel(gateway: gateway))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                Card("Who") {
                    PersonPicker(search: model.who)
                }
                if let choices = model.choices {
                    Card("Where") {
                        FlowLayout {
                            ForEach(choices.areas) { area in
                                Chip(title: area.name, isOn: model.areaId == area.id) {
                                    model.areaId = area.id
                                }
                            }
                        }
                    }
                    Card("Handed out") {
                        FlowLayout {
                            ForEach(choices.supplies) { item in
                                SupplyCounter(
                                    name: item.name,
                                    count: model.count(of: item.id),
                                    onAdd: { model.add(item.id) },
                                    onRemove: { model.remove(item.id) }
                                )
                            }
                        }
                    }
                    moreToggle
                    if model.showsMore {
                        ContactDetailsSection(model: model)
                    }
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("New contact")
        .bottomActions {
            Button(model.isSaving ? "Saving…" : "Save contact") {
                Task { await save(acknowledgingSafeguarding: false) }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isSaving || model.choices == nil)
            .accessibilityLabel("Save contact")
        }
        .confirmationDialog("She may be under 18", isPresented: $model.asksSafeguarding, titleVisibility: .visible) {
            Button("I have seen this and will follow the safeguarding procedure") {
                Task { await save(acknowledgingSafeguarding: true) }
            }
            .accessibilityLabel("Acknowledge and save")
            Button("Go back", role: .cancel) {}
                .accessibilityLabel("Go back without saving")
        } message: {
            Text("Follow your safeguarding procedure tonight. Saving records that you saw this prompt.")
        }
        .task {
            await model.load(personId: personId)
        }
    }

    private var moreToggle: some View {
        Button {
            withAnimation { model.showsMore.toggle() }
        } label: {
            HStack {
                Text(model.showsMore ? "Fewer details" : "How she is, a note, a referral")
                Spacer()
                Image(systemName: model.showsMore ? "chevron.up" : "chevron.down")
                    .accessibilityHidden(true)
            }
            .padding(.horizontal, Theme.spacing)
            .frame(minHeight: Theme.minTouch)
            .foregroundStyle(Theme.text)
            .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel(model.showsMore ? "Hide more details" : "More details: how she is, a note, a referral")
    }

    private func save(acknowledgingSafeguarding: Bool) async {
        if await model.save(acknowledgingSafeguarding: acknowledgingSafeguarding) {
            app.changesSaved()
            dismiss()
        }
    }
}
