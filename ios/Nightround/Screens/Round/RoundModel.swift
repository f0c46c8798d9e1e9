import Foundation
import NightroundCore
import Observation

/// Her lone-worker round: starting one (when she expects to finish, how often
/// she checks in, who her buddy is), checking in, calling for help, ending
/// it. The core keeps the round, decides when a check-in is due and refuses
/// what it does not allow; the shell shows it and reminds her.
@MainActor
@Observable
final class RoundModel {
    /// How far one tap moves the expected end.
    static let endStep: TimeInterval = 15 * 60
    /// How far one tap moves the check-in interval, in minutes.
    static let intervalStep: UInt32 = 5

    /// What happened to her last help call.
    enum HelpCall: Equatable {
        case sending
        case sent(at: Date)
        /// Kept on the phone, first in the queue; goes when there is signal.
        case waiting(reason: String)
    }

    private(set) var screen: RoundScreen?
    private(set) var problem: String?
    private(set) var isWorking = false
    private(set) var helpCall: HelpCall?
    /// The start form, filled from the core's suggestions on first load.
    var expectedEnd = Date.now
    var checkInMinutes: UInt32 = 0
    var buddy: TeamMember?

    @ObservationIgnored private let gateway: VaultGateway
    @ObservationIgnored private var formFilled = false

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    var canStart: Bool {
        screen != nil && screen?.open == nil && !isWorking
    }

    func load() async -> RoundScreen? {
        do {
            let loaded = try await gateway.call { vault in try vault.roundScreen() }
            if !formFilled || loaded.open != nil {
                expectedEnd = loaded.suggestedEnd
                checkInMinutes = loaded.defaultCheckInMinutes
                buddy = nil
                formFilled = loaded.open == nil
            }
            screen = loaded
            problem = nil
            return loaded
        } catch {
            problem = ErrorWording.describe(error)
            return nil
        }
    }

    func laterEnd() {
        expectedEnd.addTimeInterval(Self.endStep)
    }

    func earlierEnd() {
        expectedEnd.addTimeInterval(-Self.endStep)
    }

    func longerInterval() {
        guard let screen else { return }
        checkInMinutes = min(checkInMinutes + Self.intervalStep, screen.maxCheckInMinutes)
    }

    func shorterInterval() {
        guard let screen else { return }
        checkInMinutes = max(checkInMinutes - min(checkInMinutes, Self.intervalStep), screen.minCheckInMinutes)
    }

    /// Starts the round; true when the core took it.
    func start() async -> Bool {
        guard canStart else { return false }
        let draft = RoundDraft(expectedEnd: expectedEnd, checkInMinutes: checkInMinutes, buddy: buddy, areaId: nil)
        return await act { vault in _ = try vault.startRound(draft: draft) }
    }

    /// "I'm OK": one check-in on the open round.
    func checkIn() async -> Bool {
        guard let roundId = screen?.open?.round.id else { return false }
        return await act { vault in _ = try vault.checkIn(roundId: roundId) }
    }

    func end() async -> Bool {
        guard let roundId = screen?.open?.round.id else { return false }
        return await act { vault in _ = try vault.endRound(roundId: roundId) }
    }

    /// "Need help now": the core queues the help call ahead of everything
    /// else, then `sync` (off the main thread, a sync of its own, not one
    /// already on its way) sends it. With no signal it stays first in the
    /// queue and goes as soon as any sync reaches the server.
    func callForHelp(sync: (_ fresh: Bool) async -> SyncOutcome?) async {
        guard helpCall != .sending else { return }
        helpCall = .sending
        do {
            _ = try await gateway.call { vault in try vault.callForHelp() }
        } catch {
            helpCall = nil
            problem = ErrorWording.describe(error)
            return
        }
        switch await sync(true) {
        case .synced:
            helpCall = .sent(at: .now)
        case .failed(let error):
            helpCall = .waiting(reason: ErrorWording.describe(error))
        case nil:
            helpCall = .waiting(reason: ErrorWording.describe(NightroundError.Locked))
        }
        _ = await load()
    }

    private func act(_ work: @escaping @Sendable (NightroundVault) throws -> Void) async -> Bool {
        guard !isWorking else { return false }
        isWorking = true
        defer { isWorking = false }
        do {
            try await gateway.call(work)
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
