import NightroundCore
import SwiftUI

/// Her record: who she is, the referrals still open for her, her consent
/// agency by agency, and her timeline, so that she does not have to tell her
/// story again. Each open referral can be moved to the statuses the core
/// allows next. New contact, referral and editing her profile are at the
/// bottom.
struct PersonScreen: View {
    @Environment(AppModel.self) private var app
    @State private var model: PersonModel
    @State private var withdrawing: Consent?

    init(gateway: VaultGateway, personId: Uuid) {
        _model = State(initialValue: PersonModel(gateway: gateway, personId: personId))
    }

    var body: some View {
        ScrollView {
            LazyVStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                if let content = model.content {
                    profile(content.person)
                    referrals(content)
                    consents(content)
                    timeline(content)
                } else if model.problem == nil {
                    ProgressView()
                        .frame(maxWidth: .infinity)
                        .accessibilityLabel("Loading her record")
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome(verbatim: model.content?.person.alias ?? "")
        .bottomActions {
            NavigationLink(value: AppRoute.newContact(personId: model.personId)) {
                Label("New contact with her", systemImage: "plus")
            }
            .buttonStyle(PrimaryButtonStyle())
            .accessibilityLabel("New contact with her")
            NavigationLink(value: AppRoute.referral(personId: model.personId)) {
                Text("Refer her to a service")
            }
            .buttonStyle(SecondaryButtonStyle())
            .accessibilityLabel("Refer her to a service")
            NavigationLink(value: AppRoute.editPerson(model.personId)) {
                Text("Edit her profile")
            }
            .buttonStyle(SecondaryButtonStyle())
            .accessibilityLabel("Edit her profile")
        }
        .confirmationDialog(
            "She withdraws her consent",
            isPresented: Binding(get: { withdrawing != nil }, set: { if !$0 { withdrawing = nil } }),
            titleVisibility: .visible,
            presenting: withdrawing
        ) { consent in
            Button("Withdraw consent", role: .destructive) {
                Task {
                    if await model.withdraw(consentId: consent.id) {
                        app.changesSaved()
                    }
                }
            }
            .accessibilityLabel("Withdraw consent")
            Button("Keep it", role: .cancel) {}
                .accessibilityLabel("Keep her consent")
        } message: { consent in
            Text("Nothing more will be shared with \(model.content?.agencyNames[consent.agencyId] ?? consent.agencyId).")
        }
        .task(id: app.dataVersion) {
            await model.load()
        }
    }

    private func profile(_ person: Person) -> some View {
        Card {
            Text(person.alias)
                .font(.title2.weight(.semibold))
                .foregroundStyle(Theme.text)
                .accessibilityAddTraits(.isHeader)
            if let description = person.description, !description.isEmpty {
                Text(description)
                    .foregroundStyle(Theme.secondaryText)
            }
            if let keyWorker = person.keyWorker, !keyWorker.isEmpty {
                Text("Key worker: \(keyWorker)")
                    .foregroundStyle(Theme.secondaryText)
            }
            if person.prefersFemaleWorker {
                Text("Prefers a female worker")
                    .foregroundStyle(Theme.accent)
            }
        }
    }

    @ViewBuilder
    private func referrals(_ content: PersonContent) -> some View {
        if !content.openReferrals.isEmpty {
            Card("Open referrals") {
                ForEach(content.openReferrals) { item in
                    ReferralRow(item: item) { next in
                        Task {
                            if await model.move(referralId: item.referral.id, to: next) {
                                app.changesSaved()
                            }
                        }
                    }
                }
            }
        }
    }

    @ViewBuilder
    private func consents(_ content: PersonContent) -> some View {
        Card("Consent to share") {
            if content.consents.isEmpty {
                Text("She has not given consent to share with any service yet.")
                    .foregroundStyle(Theme.secondaryText)
            }
            ForEach(content.consents) { consent in
                ConsentRow(
                    consent: consent,
                    agencyName: content.agencyNames[consent.agencyId] ?? consent.agencyId,
                    onWithdraw: { withdrawing = consent }
                )
            }
        }
    }

    private func timeline(_ content: PersonContent) -> some View {
        Card("Timeline") {
            if content.timeline.isEmpty {
                Text("Nothing recorded yet.")
                    .foregroundStyle(Theme.secondaryText)
            }
            ForEach(content.timeline) { entry in
                TimelineRow(entry: entry, names: TimelineRow.Names(
                    agencies: content.agencyNames,
                    areas: content.areaNames,
                    supplies: content.supplyNames
                ))
                Divider().overlay(Theme.raised)
            }
        }
    }
}
