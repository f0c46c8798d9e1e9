import SwiftUI

extension View {
    /// What every screen inside the app carries: the dim background, an
    /// inline title (large titles waste the top of a small screen) and the
    /// quick-exit button.
    func screenChrome(_ title: LocalizedStringKey) -> some View {
        chrome(Text(title))
    }

    /// As `screenChrome(_:)` for a title that is data (her alias), which must
    /// not be looked up as a localisation key.
    func screenChrome(verbatim title: String) -> some View {
        chrome(Text(verbatim: title))
    }

    private func chrome(_ title: Text) -> some View {
        self
            .scrollContentBackground(.hidden)
            .background(Theme.background.ignoresSafeArea())
            .navigationTitle(title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbarBackground(Theme.background, for: .navigationBar)
            .toolbarBackground(.visible, for: .navigationBar)
            .toolbar {
                ToolbarItem(placement: .topBarTrailing) {
                    QuickExitButton()
                }
            }
    }

    /// Pins a screen's primary actions to the bottom edge, above the tab bar
    /// and the keyboard, where a thumb reaches them one-handed.
    func bottomActions<Actions: View>(@ViewBuilder _ actions: () -> Actions) -> some View {
        let content = actions()
        return safeAreaInset(edge: .bottom, spacing: 0) {
            VStack(spacing: 10) {
                content
            }
            .padding(.horizontal, Theme.spacing)
            .padding(.top, 10)
            .padding(.bottom, 8)
            .background(Theme.background.opacity(0.97))
        }
    }
}
