import NightroundCore

/// Which kind of contact the quick-contact screen starts on for her role.
///
/// A stopgap: the core decides which kinds a role may record
/// (`ContactKind::allowed_for`) but does not export it, so the shell starts on
/// the kind each role records and the core still refuses anything else. The
/// README lists `contactKinds()` among the core APIs wished for; when it
/// exists this file goes.
enum ContactKindDefault {
    static func forRole(_ role: Role) -> ContactKind {
        switch role {
        case .policeOfficer: return .policeWelfareCheck
        case .outreachWorker, .supervisor, .receivingAgency: return .outreachConversation
        }
    }
}
