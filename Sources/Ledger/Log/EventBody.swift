/// A typed entry body, bound to its entry type.
public protocol EventBody: Codable, Sendable {
    static var eventType: EventType { get }
}

extension LedgerCreated: EventBody { public static let eventType = EventType.ledgerCreated }
extension CampaignPublished: EventBody { public static let eventType = EventType.campaignPublished }
extension CampaignClosed: EventBody { public static let eventType = EventType.campaignClosed }
extension SignatureRecorded: EventBody { public static let eventType = EventType.signatureRecorded }
extension CommentPosted: EventBody { public static let eventType = EventType.commentPosted }
extension SignatureWithdrawn: EventBody { public static let eventType = EventType.signatureWithdrawn }

extension EventType {
    /// The body type of entries of this type.
    public var bodyType: any EventBody.Type {
        switch self {
        case .ledgerCreated: return LedgerCreated.self
        case .campaignPublished: return CampaignPublished.self
        case .campaignClosed: return CampaignClosed.self
        case .signatureRecorded: return SignatureRecorded.self
        case .commentPosted: return CommentPosted.self
        case .signatureWithdrawn: return SignatureWithdrawn.self
        }
    }
}
