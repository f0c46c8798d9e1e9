import SwiftUI

/// A supply item with − and + around its count. To VoiceOver it is one
/// adjustable element ("Condoms, 2, adjustable"): swipe up or down to change
/// the count, instead of hunting for two small buttons.
struct SupplyCounter: View {
    let name: String
    let count: Int
    let onAdd: () -> Void
    let onRemove: () -> Void

    var body: some View {
        HStack(spacing: 0) {
            Button(action: onRemove) {
                Image(systemName: "minus")
                    .frame(width: Theme.minTouch, height: Theme.minTouch)
                    .contentShape(Rectangle())
            }
            .buttonStyle(.plain)
            .disabled(count == 0)
            .accessibilityLabel("One fewer \(name)")

            Text(count == 0 ? name : "\(name)  \(count)")
                .font(.body.weight(.medium))
                .lineLimit(1)
                .padding(.horizontal, 4)

            Button(action: onAdd) {
                Image(systemName: "plus")
                    .frame(width: Theme.minTouch, height: Theme.minTouch)
                    .contentShape(Rectangle())
            }
            .buttonStyle(.plain)
            .accessibilityLabel("One more \(name)")
        }
        .foregroundStyle(count > 0 ? Theme.onAccent : Theme.text)
        .background(count > 0 ? Theme.accent : Theme.raised, in: Capsule())
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(name)
        .accessibilityValue("\(count)")
        .accessibilityAdjustableAction { direction in
            switch direction {
            case .increment: onAdd()
            case .decrement: onRemove()
            @unknown default: break
            }
        }
    }
}
