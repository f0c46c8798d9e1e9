import SwiftUI

/// The one big action of a screen ("Save contact", "New contact"): full width,
/// at least `Theme.minTouch` tall, placed at the bottom within thumb reach.
struct PrimaryButtonStyle: ButtonStyle {
    func makeBody(configuration: Configuration) -> some View {
        StyledLabel(configuration: configuration, kind: .primary)
    }
}

/// A second action beside the primary one, quieter so the eye finds the first.
struct SecondaryButtonStyle: ButtonStyle {
    func makeBody(configuration: Configuration) -> some View {
        StyledLabel(configuration: configuration, kind: .secondary)
    }
}

/// Erasing and withdrawing: red, and never the primary action of a screen.
struct DestructiveButtonStyle: ButtonStyle {
    func makeBody(configuration: Configuration) -> some View {
        StyledLabel(configuration: configuration, kind: .destructive)
    }
}

/// Shared drawing for the styles; a View so it can read `isEnabled`.
private struct StyledLabel: View {
    enum Kind { case primary, secondary, destructive }

    let configuration: ButtonStyleConfiguration
    let kind: Kind
    @Environment(\.isEnabled) private var isEnabled

    var body: some View {
        configuration.label
            .font(.title3.weight(.semibold))
            .multilineTextAlignment(.center)
            .padding(.horizontal, Theme.spacing)
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch + 4)
            .foregroundStyle(foreground)
            .background(background, in: RoundedRectangle(cornerRadius: Theme.corner))
            .overlay {
                if kind != .primary {
                    RoundedRectangle(cornerRadius: Theme.corner).strokeBorder(foreground.opacity(0.5))
                }
            }
            .opacity(isEnabled ? (configuration.isPressed ? 0.7 : 1) : 0.4)
            .contentShape(RoundedRectangle(cornerRadius: Theme.corner))
    }

    private var foreground: Color {
        switch kind {
        case .primary: return Theme.onAccent
        case .secondary: return Theme.text
        case .destructive: return Theme.danger
        }
    }

    private var background: Color {
        switch kind {
        case .primary: return Theme.accent
        case .secondary, .destructive: return Theme.surface
        }
    }
}
