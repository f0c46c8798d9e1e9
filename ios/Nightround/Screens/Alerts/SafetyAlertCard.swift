import NightroundCore
import SwiftUI

/// A colleague's help call, missed round, or word that she was heard from
/// again. Where she named this phone's worker as her buddy the card is
/// filled red and larger: she is the one to act first.
struct SafetyAlertCard: View {
    let alert: SafetyAlertView

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Label {
                Text(headline)
            } icon: {
                Image(systemName: symbol)
            }
            .font(alert.toMeAsBuddy ? .title2.weight(.bold) : .headline)
            .foregroundStyle(isGoodNews ? Theme.calm : (alert.toMeAsBuddy ? Color.white : Theme.danger))
            Text(verbatim: "\(alert.workerName) · \(alert.organisation)")
                .font(.headline)
                .foregroundStyle(textColour)
            Text(whereAndWhen)
                .foregroundStyle(textColour)
            if let lastHeard = alert.lastHeardAt {
                Text("Last heard from \(lastHeard.formatted(.relative(presentation: .named)))")
                    .foregroundStyle(textColour)
            }
            if let acknowledgedBy = alert.acknowledgedBy {
                Text("Being handled by \(acknowledgedBy)")
                    .font(.footnote)
                    .foregroundStyle(textColour)
            } else if !isGoodNews {
                Text("Not yet picked up by anyone.")
                    .font(.footnote.weight(.semibold))
                    .foregroundStyle(textColour)
            }
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(background, in: RoundedRectangle(cornerRadius: Theme.corner))
        .accessibilityElement(children: .combine)
    }

    private var isGoodNews: Bool {
        alert.kind == .heardFromAgain
    }

    private var headline: String {
        switch alert.kind {
        case .helpCall: return String(localized: "Called for help")
        case .missedCheckIn: return String(localized: "Missed a check-in")
        case .heardFromAgain: return String(localized: "Heard from again")
        }
    }

    private var symbol: String {
        switch alert.kind {
        case .helpCall: return "exclamationmark.octagon.fill"
        case .missedCheckIn: return "clock.badge.exclamationmark"
        case .heardFromAgain: return "checkmark.circle"
        }
    }

    private var whereAndWhen: String {
        let when = alert.at.formatted(.relative(presentation: .named))
        guard let area = alert.areaName else { return when }
        return "\(area) · \(when)"
    }

    private var textColour: Color {
        alert.toMeAsBuddy && !isGoodNews ? Color.white : Theme.text
    }

    private var background: Color {
        if isGoodNews { return Theme.surface }
        return alert.toMeAsBuddy ? Theme.danger : Theme.danger.opacity(0.15)
    }
}
