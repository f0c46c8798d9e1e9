import NightroundCore
import SwiftUI

/// One service on the leaflet. Details marked as examples are shown as such,
/// so nobody rings a made-up number.
struct AgencyCard: View {
    let agency: Agency

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            HStack(alignment: .firstTextBaseline) {
                Text(agency.name)
                    .font(.headline)
                    .foregroundStyle(Theme.text)
                    .accessibilityAddTraits(.isHeader)
                Spacer()
                if agency.exampleDetails {
                    Text("Example details")
                        .font(.caption.weight(.semibold))
                        .foregroundStyle(Theme.accent)
                }
            }
            Text(agency.offers)
                .foregroundStyle(Theme.text)
            Label(agency.address, systemImage: "mappin.and.ellipse")
                .foregroundStyle(Theme.secondaryText)
            Label(agency.openingTimes, systemImage: "clock")
                .foregroundStyle(Theme.secondaryText)
            if let url = PhoneLink.url(for: agency.phone) {
                Link(destination: url) {
                    Label(agency.phone, systemImage: "phone.fill")
                        .font(.title3.weight(.semibold))
                        .frame(maxWidth: .infinity, minHeight: Theme.minTouch)
                        .background(Theme.raised, in: RoundedRectangle(cornerRadius: Theme.corner))
                }
                .foregroundStyle(Theme.accent)
                .accessibilityLabel("Call \(agency.name), \(agency.phone)")
            } else if !agency.phone.isEmpty {
                Text(agency.phone)
                    .foregroundStyle(Theme.secondaryText)
            }
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
    }
}

/// A `tel:` URL from a phone number as the directory writes it ("01702 123456",
/// "101"): only the characters a dialler understands are kept.
enum PhoneLink {
    static func url(for phone: String) -> URL? {
        let dialable = phone.filter { $0.isASCII && ($0.isNumber || $0 == "+") }
        guard !dialable.isEmpty else { return nil }
        return URL(string: "tel:\(dialable)")
    }
}
