import SwiftUI

/// The look in one place. Dark and dim because the app is used on a street
/// at night: a bright screen draws eyes to her and to the worker, and ruins
/// night vision. Targets are large because hands are cold, often gloved, and
/// one of them is usually holding something.
enum Theme {
    /// The smallest tap target anywhere, above Apple's 44 pt minimum.
    static let minTouch: CGFloat = 56
    /// PIN keys: typed without looking twice.
    static let pinKey: CGFloat = 76
    static let spacing: CGFloat = 16
    static let corner: CGFloat = 14

    static let background = Color(red: 0.05, green: 0.05, blue: 0.06)
    static let surface = Color(red: 0.10, green: 0.10, blue: 0.12)
    static let raised = Color(red: 0.16, green: 0.16, blue: 0.19)
    /// Not pure white: readable at low screen brightness without glare.
    static let text = Color(white: 0.86)
    static let secondaryText = Color(white: 0.64)
    /// A low-saturation amber, the one colour that marks "act here".
    static let accent = Color(red: 0.85, green: 0.62, blue: 0.30)
    static let onAccent = Color(red: 0.10, green: 0.07, blue: 0.03)
    static let danger = Color(red: 0.82, green: 0.38, blue: 0.35)
    static let calm = Color(red: 0.45, green: 0.68, blue: 0.54)
}
