import NightroundCore
import SwiftUI

/// The lone-worker round. With none open: when she expects to finish, how
/// often she will check in and who her buddy is, then "Start round". With one
/// open: when the next check-in is due (or how late it is) in large type, one
/// huge "I'm OK — check in" button, and "Need help now", which asks once more
/// before it alerts the team so a pocket or a glove cannot press it.
///
/// Not named `RoundScreen`: that is the core's record this screen shows.
struct LoneWorkerRoundScreen: View {
    @Environment(AppModel.self) private var app
    @State private var model: RoundModel
    @State private var confirmsEnd = false

    init(gateway: VaultGateway) {
        _model = State(initialValue: RoundModel(gateway: gateway))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                if let helpCall = model.helpCall {
                    HelpCallStatus(helpCall: helpCall)
                }
                if let screen = model.screen {
                    if let open = screen.open {
                        OpenRoundSection(round: open, isOnline: app.isOnline)
                    } else {
                        StartRoundSection(model: model, screen: screen)
                    }
                } else if model.problem == nil {
                    ProgressView()
                        .frame(maxWidth: .infinity)
                        .accessibilityLabel("Loading your round")
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("Lone-worker round")
        .bottomActions {
            if model.screen?.open != nil {
                Button {
                    Task {
                        if await model.checkIn() {
                            await reload()
                            app.changesSaved()
                        }
                    }
                } label: {
                    Text(model.isWorking ? "Checking in…" : "I'm OK — check in")
                        .font(.title.weight(.bold))
                        .frame(minHeight: 88)
                }
                .buttonStyle(PrimaryButtonStyle())
                .disabled(model.isWorking)
                .accessibilityLabel("I'm OK, check in")
            } else if model.screen != nil {
                Button(model.isWorking ? "Starting…" : "Start round") {
                    Task {
                        if await model.start() {
                            await reload()
                            app.changesSaved()
                        }
                    }
                }
                .buttonStyle(PrimaryButtonStyle())
                .disabled(!model.canStart)
                .accessibilityLabel("Start round")
            }
            helpButton
            if model.screen?.open != nil {
                Button("End round") {
                    confirmsEnd = true
                }
                .buttonStyle(SecondaryButtonStyle())
                .disabled(model.isWorking)
                .accessibilityLabel("End round")
                .confirmationDialog("End your round?", isPresented: $confirmsEnd, titleVisibility: .visible) {
                    Button("End round") {
                        Task {
                            if await model.end() {
                                await reload()
                                app.changesSaved()
                            }
                        }
                    }
                    .accessibilityLabel("End round")
                    Button("Keep the round open", role: .cancel) {}
                        .accessibilityLabel("Keep the round open")
                } message: {
                    Text("Check-ins stop and the team no longer watches for them.")
                }
            }
        }
        .task(id: app.dataVersion) {
            await reload()
        }
    }

    /// Big and red, and one tap (in danger a dialog is one obstacle too many):
    /// the help call is queued ahead of everything and a sync runs at once.
    private var helpButton: some View {
        Button {
            Task {
                await model.callForHelp { fresh in await app.syncNow(fresh: fresh) }
                app.changesSaved()
            }
        } label: {
            Label("Need help now", systemImage: "exclamationmark.octagon.fill")
        }
        .buttonStyle(HelpButtonStyle())
        .disabled(model.helpCall == .sending)
        .accessibilityLabel("Need help now")
        .accessibilityHint("Alerts your buddy and your team at once")
    }

    private func reload() async {
        if let screen = await model.load() {
            app.roundChanged(screen.open)
        }
    }
}

/// The open round: the next check-in in large type, counted down on the
/// phone's clock between loads (display only: the core says when it is due).
private struct OpenRoundSection: View {
    let round: RoundView
    let isOnline: Bool

    var body: some View {
        TimelineView(.periodic(from: .now, by: 30)) { context in
            dueCard(now: context.date)
        }
        if round.raisedAsMissed {
            Text("The team has been told you missed a check-in. Check in now if you are OK.")
                .font(.headline)
                .foregroundStyle(Theme.danger)
                .padding(Theme.spacing)
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(Theme.danger.opacity(0.15), in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        if round.unsentCheckIns > 0 {
            Label {
                Text(unsentLine)
            } icon: {
                Image(systemName: "antenna.radiowaves.left.and.right.slash")
            }
            .foregroundStyle(Theme.accent)
            .padding(Theme.spacing)
            .frame(maxWidth: .infinity, alignment: .leading)
            .background(Theme.accent.opacity(0.15), in: RoundedRectangle(cornerRadius: Theme.corner))
            .accessibilityElement(children: .combine)
        }
        Card("This round") {
            detail("Started", round.round.startedAt.formatted(date: .omitted, time: .shortened))
            detail("Ends", round.round.expectedEnd.formatted(date: .omitted, time: .shortened))
            detail("Check in every", String(localized: "\(Int(round.round.checkInMinutes)) min"))
            detail("Buddy", round.round.buddy?.displayName ?? String(localized: "None"))
            if let area = round.areaName {
                detail("Area", area)
            }
            detail("Check-ins", "\(Int(round.checkIns))")
            if let last = round.lastCheckInAt {
                detail("Last check-in", last.formatted(date: .omitted, time: .shortened))
            }
            if round.pastExpectedEnd {
                Text("Past the end you set. End the round when you are safely finished.")
                    .foregroundStyle(Theme.accent)
            }
        }
    }

    private func dueCard(now: Date) -> some View {
        let minutes = Int((round.nextCheckInDue.timeIntervalSince(now) / 60).rounded(.down))
        let overdue = round.checkInOverdue || minutes < 0
        let due = round.nextCheckInDue.formatted(date: .omitted, time: .shortened)
        return VStack(alignment: .leading, spacing: 6) {
            Text(overdue ? "Check-in overdue" : "Next check-in in")
                .font(.headline)
                .foregroundStyle(overdue ? Theme.danger : Theme.secondaryText)
            Text(overdue ? String(localized: "\(-minutes) min late") : String(localized: "\(minutes) min"))
                .font(.system(size: 56, weight: .bold).monospacedDigit())
                .foregroundStyle(overdue ? Theme.danger : Theme.text)
                .minimumScaleFactor(0.5)
                .lineLimit(1)
            Text(overdue ? String(localized: "Was due at \(due)") : String(localized: "Due at \(due)"))
                .foregroundStyle(Theme.secondaryText)
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(overdue ? Theme.danger.opacity(0.15) : Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        .accessibilityElement(children: .combine)
    }

    private var unsentLine: String {
        let count = Int(round.unsentCheckIns)
        let waiting = count == 1 ? String(localized: "1 check-in not sent yet.") : String(localized: "\(count) check-ins not sent yet.")
        let why = isOnline ? String(localized: "They go with the next sync.") : String(localized: "No signal: they go as soon as there is.")
        return waiting + " " + why
    }

    private func detail(_ title: LocalizedStringKey, _ value: String) -> some View {
        HStack {
            Text(title)
                .foregroundStyle(Theme.secondaryText)
            Spacer()
            Text(value)
                .foregroundStyle(Theme.text)
        }
        .accessibilityElement(children: .combine)
    }
}

/// No round open: the start form, filled with the core's suggestions.
private struct StartRoundSection: View {
    @Bindable var model: RoundModel
    let screen: RoundScreen

    var body: some View {
        Card("I expect to finish at") {
            RoundStepper(
                value: model.expectedEnd.formatted(date: .omitted, time: .shortened),
                spokenName: String(localized: "Expected end"),
                lessLabel: String(localized: "15 minutes earlier"),
                moreLabel: String(localized: "15 minutes later"),
                less: { model.earlierEnd() },
                more: { model.laterEnd() }
            )
        }
        Card("Check in every") {
            RoundStepper(
                value: String(localized: "\(Int(model.checkInMinutes)) min"),
                spokenName: String(localized: "Check-in interval"),
                lessLabel: String(localized: "5 minutes less"),
                moreLabel: String(localized: "5 minutes more"),
                less: { model.shorterInterval() },
                more: { model.longerInterval() }
            )
            Text("Between \(Int(screen.minCheckInMinutes)) and \(Int(screen.maxCheckInMinutes)) minutes. The phone reminds you before each one.")
                .font(.footnote)
                .foregroundStyle(Theme.secondaryText)
        }
        Card("Buddy") {
            if screen.buddies.isEmpty {
                Text("No team members on this phone yet. Sync to fetch your team.")
                    .foregroundStyle(Theme.secondaryText)
            }
            FlowLayout {
                Chip(title: String(localized: "No buddy"), isOn: model.buddy == nil) {
                    model.buddy = nil
                }
                ForEach(screen.buddies, id: \.workerId) { member in
                    Chip(title: member.displayName, isOn: model.buddy == member) {
                        model.buddy = member
                    }
                }
            }
            Text("Your buddy is told first if you miss a check-in or call for help.")
                .font(.footnote)
                .foregroundStyle(Theme.secondaryText)
        }
    }
}

/// A value with large − and + buttons either side (a system stepper's are
/// too small for cold or gloved hands); VoiceOver adjusts it by swiping.
private struct RoundStepper: View {
    let value: String
    let spokenName: String
    let lessLabel: String
    let moreLabel: String
    let less: () -> Void
    let more: () -> Void

    var body: some View {
        HStack(spacing: 12) {
            stepButton("minus", label: lessLabel, action: less)
            Text(value)
                .font(.title.weight(.semibold).monospacedDigit())
                .foregroundStyle(Theme.text)
                .frame(maxWidth: .infinity)
                .accessibilityLabel(spokenName)
                .accessibilityValue(value)
                .accessibilityAdjustableAction { direction in
                    switch direction {
                    case .increment: more()
                    case .decrement: less()
                    @unknown default: break
                    }
                }
            stepButton("plus", label: moreLabel, action: more)
        }
    }

    private func stepButton(_ symbol: String, label: String, action: @escaping () -> Void) -> some View {
        Button(action: action) {
            Image(systemName: symbol)
                .font(.title2.weight(.semibold))
                .frame(width: Theme.minTouch + 8, height: Theme.minTouch)
                .foregroundStyle(Theme.text)
                .background(Theme.raised, in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel(label)
    }
}

/// Where her help call is: on its way, with the team, or waiting for signal.
private struct HelpCallStatus: View {
    let helpCall: RoundModel.HelpCall

    var body: some View {
        Group {
            switch helpCall {
            case .sending:
                Label("Sending your help call…", systemImage: "arrow.up.circle")
                    .foregroundStyle(Theme.text)
            case .sent(let at):
                Label("Help call sent to the team at \(at.formatted(date: .omitted, time: .shortened)).", systemImage: "checkmark.circle")
                    .foregroundStyle(Theme.calm)
            case .waiting(let reason):
                Label {
                    Text("Help call not sent yet: it goes first as soon as there is signal. \(reason) If you are in danger, call the emergency services.")
                } icon: {
                    Image(systemName: "exclamationmark.triangle")
                }
                .foregroundStyle(Theme.danger)
            }
        }
        .font(.headline)
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        .accessibilityElement(children: .combine)
    }
}

/// "Need help now": filled red, taller than any other button but the check-in.
private struct HelpButtonStyle: ButtonStyle {
    func makeBody(configuration: Configuration) -> some View {
        HelpButtonLabel(configuration: configuration)
    }
}

private struct HelpButtonLabel: View {
    let configuration: ButtonStyleConfiguration
    @Environment(\.isEnabled) private var isEnabled

    var body: some View {
        configuration.label
            .font(.title2.weight(.bold))
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch + 16)
            .foregroundStyle(Color.white)
            .background(Theme.danger, in: RoundedRectangle(cornerRadius: Theme.corner))
            .opacity(isEnabled ? (configuration.isPressed ? 0.7 : 1) : 0.4)
            .contentShape(RoundedRectangle(cornerRadius: Theme.corner))
    }
}
