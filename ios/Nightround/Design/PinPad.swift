import SwiftUI

/// A PIN pad drawn by the app rather than the system keyboard: big keys in a
/// fixed place (typed by feel in the dark), no suggestions bar, nothing the
/// keyboard could remember. It only collects digits; whether a PIN is
/// acceptable is the core's decision.
struct PinPad: View {
    @Binding var digits: String
    let submitTitle: String
    var isBusy = false
    let onSubmit: () -> Void

    /// Only bounds what the dots can show; the core sets the real rules.
    private let maxDigits = 12
    private let columns = Array(repeating: GridItem(.fixed(Theme.pinKey), spacing: 22), count: 3)

    var body: some View {
        VStack(spacing: 22) {
            dots
            LazyVGrid(columns: columns, spacing: 14) {
                ForEach(["1", "2", "3", "4", "5", "6", "7", "8", "9"], id: \.self) { digit in
                    digitKey(digit)
                }
                deleteKey
                digitKey("0")
                submitKey
            }
        }
        .sensoryFeedback(.impact(weight: .light), trigger: digits)
    }

    private var dots: some View {
        HStack(spacing: 12) {
            ForEach(0..<digits.count, id: \.self) { _ in
                Circle()
                    .fill(Theme.text)
                    .frame(width: 14, height: 14)
            }
        }
        .frame(height: 20)
        .accessibilityElement(children: .ignore)
        .accessibilityLabel("\(digits.count) digits entered")
    }

    private func digitKey(_ digit: String) -> some View {
        Button {
            if digits.count < maxDigits {
                digits.append(digit)
            }
        } label: {
            Text(digit)
                .font(.system(size: 32, weight: .medium, design: .rounded))
                .frame(width: Theme.pinKey, height: Theme.pinKey)
                .foregroundStyle(Theme.text)
                .background(Theme.raised, in: Circle())
                .contentShape(Circle())
        }
        .buttonStyle(.plain)
        .disabled(isBusy)
        .accessibilityLabel(digit)
    }

    private var deleteKey: some View {
        Button {
            if !digits.isEmpty {
                digits.removeLast()
            }
        } label: {
            Image(systemName: "delete.left")
                .font(.title2)
                .frame(width: Theme.pinKey, height: Theme.pinKey)
                .foregroundStyle(Theme.secondaryText)
                .contentShape(Circle())
        }
        .buttonStyle(.plain)
        .disabled(isBusy || digits.isEmpty)
        .accessibilityLabel("Delete last digit")
    }

    private var submitKey: some View {
        Button(action: onSubmit) {
            Group {
                if isBusy {
                    ProgressView()
                } else {
                    Image(systemName: "arrow.right")
                        .font(.title2.weight(.semibold))
                }
            }
            .frame(width: Theme.pinKey, height: Theme.pinKey)
            .foregroundStyle(Theme.onAccent)
            .background(Theme.accent, in: Circle())
            .contentShape(Circle())
        }
        .buttonStyle(.plain)
        .disabled(isBusy || digits.isEmpty)
        .opacity(digits.isEmpty ? 0.4 : 1)
        .accessibilityLabel(submitTitle)
    }
}
