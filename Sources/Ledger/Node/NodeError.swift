/// Errors of node operations: the data folder, campaigns, signatures and withdrawals.
///
/// Descriptions say what is wrong and what to do, and never contain a signer's personal data.
public enum NodeError: Error, CustomStringConvertible, Equatable {
    case noNode(path: String)
    case alreadyInitialised(path: String)
    case interruptedSetup(path: String)
    case keyFile(path: String, reason: String)
    case keyMismatch(path: String)
    case notHQ(operation: String)
    case readOnlyNode
    case unknownCampaign(String)
    case campaignClosed(String)
    case campaignExists(String)
    case invalidCampaignFile(path: String, reason: String)
    case invalidSigner(field: String, reason: String)
    case unknownReceipt
    case alreadyWithdrawn(signature: String)
    case unknownSignature(String)
    case unknownComment(String)
    case noSealingKey
    case ambiguous(String)

    public var description: String {
        switch self {
        case .noNode(let path):
            return "no Ledger node in \(path); create one with 'ledgerctl init --hq --name NAME' or point --data (or LEDGER_DATA) at an existing data folder"
        case .alreadyInitialised(let path):
            return "\(path) already holds a Ledger node; refusing to overwrite it (choose another --data folder)"
        case .interruptedSetup(let path):
            return "\(path) holds keys but no store: an earlier set-up was interrupted; if this folder holds nothing you need, delete \(path)/keys and run the command again"
        case .keyFile(let path, let reason):
            return "key file \(path) cannot be used: \(reason)"
        case .keyMismatch(let path):
            return "the node key in \(path) does not match this store; the data folder was mixed with another node's files"
        case .notHQ(let operation):
            return "only HQ may \(operation); this node is not HQ"
        case .readOnlyNode:
            return "this node is an observer (a copy made from a bundle); it cannot write entries"
        case .unknownCampaign(let id):
            return "no campaign '\(id)'; see 'ledgerctl campaign list'"
        case .campaignClosed(let id):
            return "campaign '\(id)' is closed; it takes no more signatures or comments"
        case .campaignExists(let id):
            return "a campaign '\(id)' already exists; choose another id"
        case .invalidCampaignFile(let path, let reason):
            return "campaign file \(path): \(reason)"
        case .invalidSigner(let field, let reason):
            return "\(field): \(reason)"
        case .unknownReceipt:
            return "no signature has this receipt code; check the code (letters and digits, dashes optional)"
        case .alreadyWithdrawn(let signature):
            return "signature \(signature) was already withdrawn"
        case .unknownSignature(let id):
            return "no signature with id \(id)"
        case .unknownComment(let id):
            return "no comment with id \(id); see 'ledgerctl comment list --campaign ID --all'"
        case .noSealingKey:
            return "this node has no sealing key (keys/sealing.key), so it cannot open signers' data; only HQ can deliver signatures"
        case .ambiguous(let what):
            return what
        }
    }
}
