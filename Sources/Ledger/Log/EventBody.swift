/// A typed entry body, bound to its entry type.
public protocol EventBody: Codable, Sendable {
    static var eventType: EventType { get }
}

extension LedgerCreated: EventBody { public static let eventType = EventType.ledgerCreated }
extension CampaignPublished: EventBody { public static let eventType = EventType.campaignPublished }
extension CampaignUpdated: EventBody { public static let eventType = EventType.campaignUpdated }
extension CommentHidden: EventBody { public static let eventType = EventType.commentHidden }
extension DeviceEnrolled: EventBody { public static let eventType = EventType.deviceEnrolled }
extension DeviceRevoked: EventBody { public static let eventType = EventType.deviceRevoked }
extension CampaignClosed: EventBody { public static let eventType = EventType.campaignClosed }
extension SignatureRecorded: EventBody { public static let eventType = EventType.signatureRecorded }
extension CommentPosted: EventBody { public static let eventType = EventType.commentPosted }
extension SignatureWithdrawn: EventBody { public static let eventType = EventType.signatureWithdrawn }
extension ForkAdopted: EventBody { public static let eventType = EventType.forkAdopted }
extension PayloadErased: EventBody { public static let eventType = EventType.payloadErased }
extension SignerReferenced: EventBody { public static let eventType = EventType.signerReferenced }
extension PaperIssued: EventBody { public static let eventType = EventType.paperIssued }

extension EventType {
    /// The body type of entries of this type.
    public var bodyType: any EventBody.Type {
        switch self {
        case .ledgerCreated: return LedgerCreated.self
        case .campaignPublished: return CampaignPublished.self
        case .campaignUpdated: return CampaignUpdated.self
        case .campaignClosed: return CampaignClosed.self
        case .commentHidden: return CommentHidden.self
        case .deviceEnrolled: return DeviceEnrolled.self
        case .deviceRevoked: return DeviceRevoked.self
        case .signatureRecorded: return SignatureRecorded.self
        case .commentPosted: return CommentPosted.self
        case .signatureWithdrawn: return SignatureWithdrawn.self
        case .forkAdopted: return ForkAdopted.self
        case .payloadErased: return PayloadErased.self
        case .signerReferenced: return SignerReferenced.self
        case .paperIssued: return PaperIssued.self
        }
    }
}
