import SwiftUI

/// The only text input in the app, so every field gets the same settings:
///
/// - no autocorrection: the keyboard would learn aliases, places and
///   details of the man into its dictionary, which outlives the vault and
///   offers them as suggestions in other apps;
/// - no automatic capitals unless the caller asks (codes, addresses and
///   aliases are typed as they are);
/// - tall enough to hit, and a VoiceOver label that says what goes in it;
/// - typing tells the app she is still there, because the core's idle lock
///   only sees vault calls and a long note makes none.
///
/// (`SwiftUI.TextField` is spelled out because the core also exports a
/// `TextField` enum, naming the fields it validates.)
struct PlainField: View {
    private let title: String
    @Binding private var text: String
    private let capitalization: TextInputAutocapitalization
    private let keyboard: UIKeyboardType
    private let multiline: Bool
    @Environment(AppModel.self) private var app

    init(
        _ title: String,
        text: Binding<String>,
        capitalization: TextInputAutocapitalization = .never,
        keyboard: UIKeyboardType = .default,
        multiline: Bool = false
    ) {
        self.title = title
        self._text = text
        self.capitalization = capitalization
        self.keyboard = keyboard
        self.multiline = multiline
    }

    var body: some View {
        SwiftUI.TextField(title, text: $text, axis: multiline ? .vertical : .horizontal)
            .lineLimit(multiline ? 3...8 : 1...1)
            .autocorrectionDisabled()
            .textInputAutocapitalization(capitalization)
            .keyboardType(keyboard)
            .privacySensitive()
            .font(.title3)
            .foregroundStyle(Theme.text)
            .padding(.horizontal, 14)
            .padding(.vertical, 12)
            .frame(minHeight: Theme.minTouch)
            .background(Theme.raised, in: RoundedRectangle(cornerRadius: Theme.corner))
            .accessibilityLabel(title)
            .onChange(of: text) {
                app.noteActivity()
            }
    }
}
