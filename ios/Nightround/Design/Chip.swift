import SwiftUI

/// One choice among several (an area, a flag, an agency): big enough to hit
/// with a gloved thumb, and announced to VoiceOver as selected or not.
struct Chip: View {
    let title: String
    let isOn: Bool
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Text(title)
                .font(.body.weight(.medium))
                .padding(.horizontal, 18)
                .frame(minHeight: Theme.minTouch)
                .foregroundStyle(isOn ? Theme.onAccent : Theme.text)
                .background(isOn ? Theme.accent : Theme.raised, in: Capsule())
                .contentShape(Capsule())
        }
        .buttonStyle(.plain)
        .accessibilityLabel(title)
        .accessibilityAddTraits(isOn ? .isSelected : [])
    }
}
