import NightroundCore
import SwiftUI

/// "Who": anonymous unless she gives a name. Type-ahead over the aliases on
/// this phone, with adding her as someone new one tap away.
struct PersonPicker: View {
    @Bindable var search: PersonSearch
    /// What "nobody chosen" means on this screen ("Anonymous", "Not given").
    var anonymousTitle = String(localized: "Anonymous")

    var body: some View {
        VStack(alignment: .leading, spacing: 10) {
            if let chosen = search.chosen {
                HStack {
                    Text(chosen.alias)
                        .font(.title3.weight(.semibold))
                        .foregroundStyle(Theme.text)
                    Spacer()
                    Button("Change") {
                        search.clear()
                    }
                    .frame(minWidth: Theme.minTouch, minHeight: Theme.minTouch)
                    .accessibilityLabel("Change who this is, now \(chosen.alias)")
                }
            } else {
                Text(anonymousTitle)
                    .foregroundStyle(Theme.secondaryText)
                    .accessibilityLabel("\(anonymousTitle) unless you choose someone")
                PlainField(String(localized: "Name she is known by"), text: $search.query)
                if let problem = search.problem {
                    ProblemText(problem)
                }
                ForEach(search.matches) { person in
                    Button {
                        search.choose(person)
                    } label: {
                        Text(person.alias)
                            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
                            .padding(.horizontal, 14)
                            .background(Theme.raised, in: RoundedRectangle(cornerRadius: Theme.corner))
                    }
                    .buttonStyle(.plain)
                    .accessibilityLabel("Choose \(person.alias)")
                }
                if !search.query.isEmpty {
                    Button {
                        Task { await search.addNew() }
                    } label: {
                        Label("Add “\(search.query)” as someone new", systemImage: "person.badge.plus")
                            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
                            .padding(.horizontal, 14)
                    }
                    .buttonStyle(.plain)
                    .foregroundStyle(Theme.accent)
                    .accessibilityLabel("Add \(search.query) as someone new")
                }
            }
        }
        .task(id: search.query) {
            await search.searchAfterPause()
        }
    }
}
