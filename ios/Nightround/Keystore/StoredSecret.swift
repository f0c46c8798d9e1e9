import Foundation
import NightroundCore

/// What a Keychain item holds: one tag byte saying how, then the bytes. The
/// tag lets a phone read items written before or after it gained Enclave
/// sealing, and makes a damaged item an error rather than a wrong key.
enum StoredSecret {
    case plain(Data)
    case sealedByEnclave(Data)

    private static let plainTag: UInt8 = 1
    private static let enclaveTag: UInt8 = 2

    var encoded: Data {
        switch self {
        case .plain(let secret): return Data([Self.plainTag]) + secret
        case .sealedByEnclave(let sealed): return Data([Self.enclaveTag]) + sealed
        }
    }

    init(decoding data: Data) throws {
        guard let tag = data.first, data.count > 1 else {
            throw KeyStoreFailure.Unavailable(detail: "the key in the phone's key store is damaged")
        }
        let body = Data(data.dropFirst())
        switch tag {
        case Self.plainTag: self = .plain(body)
        case Self.enclaveTag: self = .sealedByEnclave(body)
        default: throw KeyStoreFailure.Unavailable(detail: "the key in the phone's key store is in an unknown format")
        }
    }
}
