/// The entry types of format version 1 (docs/FORMAT.md, "Entry types").
public enum EventType: String, CaseIterable, Sendable, Codable {
    case ledgerCreated = "ledger.created"
    case campaignPublished = "campaign.published"
    case campaignUpdated = "campaign.updated"
    case campaignClosed = "campaign.closed"
    case signatureRecorded = "signature.recorded"
    case commentPosted = "comment.posted"
    case signatureWithdrawn = "signature.withdrawn"
    case commentHidden = "comment.hidden"
    case deviceEnrolled = "device.enrolled"
    case deviceRevoked = "device.revoked"
    case forkAdopted = "fork.adopted"
    case payloadErased = "payload.erased"
    case signerReferenced = "signer.referenced"
    case paperIssued = "paper.issued"

    /// True for types whose entries carry a detached payload digest.
    public var carriesPayload: Bool { self == .signatureRecorded }
}
